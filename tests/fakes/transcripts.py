"""Deterministic transcripts for the offline writer's tests and benchmark.

Each builder returns ``(title, segments, chapters)`` in the shapes the pipeline uses:
segments ``[{"start", "duration", "text"}]`` and chapters ``[{"title", "start", "end"}]``.
Nothing here is random except ``long_talk``, which uses its own ``random.Random(42)``.
"""

from __future__ import annotations

import random
import re

Segment = dict[str, float | str]
Chapter = dict[str, float | str]
Talk = tuple[str, list[Segment], list[Chapter]]

# A ~5-minute talk as a person would say it, punctuated like human-made captions.
_COFFEE_CHAPTERS: list[tuple[str, str]] = [
    (
        "Grinding",
        "Hi everyone, and welcome back. Today I want to show you how to brew better coffee at "
        "home, and honestly, you don't need a lot of expensive gear to do it. We're going to "
        "cover three things: grinding, water, and the brew itself. So let's start with grinding, "
        "because this is where most people lose the most flavor. Coffee starts going stale "
        "within minutes of being ground, so the single biggest upgrade you can make is to buy "
        "whole beans and grind them right before you brew. If you can, get a burr grinder "
        "instead of a blade grinder. A blade grinder just smashes the beans into a mix of dust "
        "and boulders, and that uneven grind extracts unevenly. A burr grinder crushes the beans "
        "between two plates, so every particle comes out roughly the same size. Now, grind size "
        "matters just as much as the grinder itself. For a French press you want something "
        "coarse, about like sea salt. For a pour-over, go medium, like table salt. And for "
        "espresso you need a very fine grind, almost like powder. Um, here's a simple rule of "
        "thumb: if your coffee tastes sour and thin, grind finer. If it tastes bitter and harsh, "
        "grind coarser. Sour usually means under-extracted, and bitter usually means "
        "over-extracted. Change one thing at a time, and taste as you go.",
    ),
    (
        "Water",
        "Okay, let's talk about water, which is, you know, about ninety-eight percent of your "
        "cup. If your tap water tastes bad on its own, it will taste bad in your coffee too. A "
        "simple carbon filter pitcher fixes most of the chlorine taste. But don't use distilled "
        "water, because coffee actually needs some minerals to extract properly. Distilled water "
        "makes the coffee taste flat and dull. Temperature is the next thing to get right. The "
        "sweet spot is between 90 and 96 degrees Celsius, which is just off the boil. If you "
        "don't have a thermometer, bring the kettle to a boil and wait about thirty seconds. "
        "Water that is too hot pulls out harsh, bitter compounds. Water that is too cool leaves "
        "the coffee weak and sour. Then there's the ratio of coffee to water, and this is where "
        "a cheap kitchen scale really pays off. A good starting point is one gram of coffee for "
        "every sixteen grams of water. So for a big mug, that's about twenty grams of coffee and "
        "320 grams of water. Weighing beats scooping every time, because different beans have "
        "different densities. Once you've found a ratio you like, write it down, so you can "
        "repeat it tomorrow.",
    ),
    (
        "Brewing",
        "Alright, now for the fun part, the actual brewing. I'm going to use a pour-over here, "
        "but the same ideas apply to a French press. First, rinse the paper filter with hot "
        "water. This gets rid of the papery taste and warms up the brewer. Add your ground coffee "
        "and give the brewer a little shake to level the bed. Then start with the bloom. Pour "
        "about twice as much water as coffee, so around forty grams, and wait thirty to "
        "forty-five seconds. Freshly roasted coffee is full of carbon dioxide, and the bloom "
        "lets that gas escape so the water can reach the grounds evenly. After the bloom, pour "
        "the rest of the water slowly in small circles, keeping the level steady. The whole brew "
        "should take about three minutes. If it drains much faster, your grind is too coarse. "
        "If it takes much longer, your grind is too fine. With a French press, just stir, put "
        "the lid on, and wait four minutes before you press. Finally, taste your coffee and take "
        "notes. Brewing great coffee is really just a loop of small adjustments. Change the "
        "grind, the ratio, or the temperature, one at a time, and you'll be surprised how "
        "quickly it gets better. Thanks for watching, and don't forget to subscribe for more "
        "coffee tips.",
    ),
]

# A ~5-minute talk written with its spoken fillers; auto_captions_talk() strips punctuation
# and capitals from it the way YouTube's speech recognition delivers captions.
_SOURDOUGH_CHAPTERS: list[tuple[str, str]] = [
    (
        "Feeding your starter",
        "[Music] hey everyone welcome back to the channel. so today we are going to talk about "
        "um sourdough bread for beginners. i know a lot of you have been asking about this. and "
        "honestly it is way easier than it looks. so the first thing you need is an active "
        "starter. a starter is just flour and water that has been fermenting for a few days. the "
        "wild yeast and the bacteria in the starter are what make the bread rise. and they also "
        "give it that nice sour flavor. it is sort of like a pet that lives on your kitchen "
        "counter. now i feed my starter every morning with equal weights of flour and water. so "
        "like fifty grams of flour and fifty grams of water. uh you want to use it when it has "
        "roughly doubled in size and it smells a little bit sweet. if it smells like nail polish "
        "remover it is hungry and you should feed it again. a good trick is to drop a spoonful "
        "of starter in a glass of water. if it floats it is ready to use. if it sinks you know "
        "just give it a few more hours.",
    ),
    (
        "Mixing and folding",
        "okay so now let's mix the dough. i use five hundred grams of bread flour three hundred "
        "and fifty grams of water one hundred grams of starter and ten grams of salt. i mean it "
        "really is just flour water and salt. um first i mix the flour and the water and let it "
        "rest for about an hour. this rest is called the autolyse and it lets the flour fully "
        "absorb the water. then i add the starter and the salt and squeeze everything together "
        "with wet hands. the dough will feel sticky and shaggy and that is totally normal. over "
        "the next few hours we do stretch and folds instead of kneading. you grab one side of "
        "the dough stretch it up and fold it over the the middle. you do that on all four sides "
        "every thirty minutes for about two hours. you will feel the dough get smoother and "
        "stronger each time. after that just leave it alone until it has grown by about half. "
        "this is called bulk fermentation and in a warm kitchen it takes around four to six "
        "hours.",
    ),
    (
        "Shaping and baking",
        "alright now for shaping and baking. tip the dough out onto a lightly floured counter. "
        "gently fold the edges into the middle and then flip it over. use your hands to drag it "
        "toward you so the surface gets nice and tight. put it seam side up into a floured "
        "basket and cover it. then it goes in the fridge overnight. the cold proof makes the "
        "flavor better and it makes the dough much easier to score. the next morning preheat "
        "your oven to two hundred and fifty degrees celsius with a dutch oven inside. uh this "
        "takes a good forty five minutes so don't skip it. flip the dough onto parchment paper "
        "and score the top with a razor blade. bake it with the lid on for twenty minutes so the "
        "steam can help it rise. then take the lid off and bake another twenty to twenty five "
        "minutes until the crust is deep brown. and like the hardest part is waiting at least an "
        "hour before you cut it. if you cut it too early the inside will be gummy. so that's it "
        "that's my whole routine. if you liked this video please like and subscribe and i will "
        "see you in the next one. [Applause]",
    ),
]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _caption_lines(words: list[str], sizes: tuple[int, ...]) -> list[list[str]]:
    """Cut words into caption lines whose lengths cycle through ``sizes``."""
    lines: list[list[str]] = []
    i = 0
    while i < len(words):
        size = sizes[len(lines) % len(sizes)]
        lines.append(words[i : i + size])
        i += size
    return lines


def short_talk() -> Talk:
    """A ~5-minute punctuated talk on home coffee brewing, three chapters."""
    words_per_second = 2.5
    segments: list[Segment] = []
    chapters: list[Chapter] = []
    t = 0.0
    for title, text in _COFFEE_CHAPTERS:
        chapter_start = t
        for line in _caption_lines(text.split(), (9, 11, 8, 12, 10)):
            duration = round(len(line) / words_per_second, 2)
            segments.append({"start": round(t, 2), "duration": duration, "text": " ".join(line)})
            t += duration
        t += 1.5  # a breath between chapters
        chapters.append({"title": title, "start": round(chapter_start, 2), "end": round(t, 2)})
    return "How to Brew Better Coffee at Home #coffee #barista - YouTube", segments, chapters


def _as_auto_caption(sentence: str) -> list[str]:
    """Lower-case words without punctuation, as speech recognition writes them."""
    words = []
    for word in sentence.split():
        if word.startswith("[") and word.endswith("]"):
            words.append(word)  # caption tags such as [Music] keep their brackets
            continue
        cleaned = re.sub(r"[^\w']", "", word.lower())
        if cleaned:
            words.append(cleaned)
    return words


def auto_captions_talk() -> Talk:
    """A ~5-minute talk on sourdough as YouTube auto captions: no punctuation, fillers, 2-4 s lines.

    Every third sentence ends with a pause over a second (a new caption line starts after it);
    elsewhere the speaker runs on, so sentence ends must be recovered from words alone.
    """
    words_per_second = 2.6
    sizes = (8, 7, 9, 10, 7, 8)
    segments: list[Segment] = []
    chapters: list[Chapter] = []
    t = 0.0
    line: list[str] = []
    sentence_no = 0

    def flush() -> None:
        nonlocal t, line
        if line:
            duration = round(len(line) / words_per_second, 2)
            segments.append({"start": round(t, 2), "duration": duration, "text": " ".join(line)})
            t += duration
            line = []

    for title, text in _SOURDOUGH_CHAPTERS:
        flush()
        chapter_start = t
        for sentence in _SENTENCE_END.split(text):
            for word in _as_auto_caption(sentence):
                line.append(word)
                if len(line) >= sizes[len(segments) % len(sizes)]:
                    flush()
            sentence_no += 1
            if sentence_no % 3 == 0:
                flush()
                t += 1.4  # a real pause: the next caption line starts late
        flush()
        t += 1.2
        chapters.append({"title": title, "start": round(chapter_start, 2), "end": round(t, 2)})
    return (
        "SOURDOUGH BREAD FOR BEGINNERS | My Easy Weekly Routine #sourdough #baking",
        segments,
        chapters,
    )


# Topics for the long benchmark talk: (chapter title, nouns, verbs, adjectives).
_TOPICS: list[tuple[str, list[str], list[str], list[str]]] = [
    (
        "Linear Regression Basics",
        [
            "regression line",
            "slope",
            "intercept",
            "residual",
            "feature",
            "target variable",
            "data point",
            "squared error",
        ],
        ["fit", "plot", "measure", "minimize", "inspect", "compare"],
        ["linear", "noisy", "small", "large", "centered", "skewed"],
    ),
    (
        "Gradient Descent and Learning Rates",
        [
            "learning rate",
            "gradient",
            "loss curve",
            "step size",
            "local minimum",
            "mini batch",
            "momentum",
            "weight update",
        ],
        ["tune", "decay", "compute", "follow", "shrink", "watch"],
        ["steep", "flat", "unstable", "smooth", "slow", "aggressive"],
    ),
    (
        "Overfitting and Regularization",
        [
            "validation set",
            "training error",
            "weight penalty",
            "dropout",
            "model capacity",
            "early stopping",
            "noise",
            "test error",
        ],
        ["regularize", "penalize", "hold out", "monitor", "reduce", "detect"],
        ["complex", "simple", "overfit", "robust", "brittle", "generous"],
    ),
    (
        "Neural Network Layers",
        [
            "hidden layer",
            "activation function",
            "neuron",
            "weight matrix",
            "bias term",
            "forward pass",
            "backpropagation",
            "output layer",
        ],
        ["stack", "initialize", "activate", "connect", "train", "debug"],
        ["deep", "wide", "shallow", "nonlinear", "dense", "sparse"],
    ),
    (
        "Convolutional Networks for Images",
        [
            "convolution filter",
            "feature map",
            "pooling layer",
            "image patch",
            "stride",
            "receptive field",
            "color channel",
            "kernel size",
        ],
        ["slide", "detect", "downsample", "augment", "crop", "visualize"],
        ["local", "translation invariant", "high resolution", "blurry", "edge like", "tiny"],
    ),
    (
        "Evaluation Metrics",
        [
            "precision",
            "recall",
            "confusion matrix",
            "roc curve",
            "threshold",
            "class balance",
            "baseline",
            "error analysis",
        ],
        ["report", "calibrate", "trade off", "average", "break down", "sanity check"],
        ["imbalanced", "honest", "misleading", "stable", "rare", "expensive"],
    ),
    (
        "Data Pipelines",
        [
            "raw data",
            "feature store",
            "schema",
            "missing value",
            "data loader",
            "label noise",
            "train split",
            "preprocessing step",
        ],
        ["clean", "validate", "version", "shuffle", "cache", "deduplicate"],
        ["messy", "reproducible", "consistent", "stale", "huge", "fragile"],
    ),
    (
        "Deploying Models to Production",
        [
            "inference server",
            "latency budget",
            "model version",
            "rollback",
            "monitoring dashboard",
            "batch job",
            "feature drift",
            "canary release",
        ],
        ["deploy", "serve", "roll out", "alert on", "retrain", "benchmark"],
        ["slow", "cheap", "reliable", "risky", "gradual", "automated"],
    ),
]

_TEMPLATES = [
    "When you {verb} the {noun}, the {noun2} usually becomes {adj}.",
    "Most people {verb} the {noun} too early, and that is why the {noun2} looks {adj}.",
    "A {adj} {noun} often means the {noun2} needs more attention.",
    "So the next step is to {verb} the {noun} before you touch the {noun2}.",
    "I like to check the {noun} first, because a {adj} {noun2} hides a lot of problems.",
    "If the {noun} is {adj}, you can {verb} the {noun2} without much risk.",
    "Um, you know, the {noun} and the {noun2} are really connected here.",
    "Here is a number to remember: about {num} percent of {noun} problems start with the {noun2}.",
    "Let me show you what happens when the {noun} gets {adj} on a real project.",
    "The trick is to {verb} the {noun} in small steps and watch the {noun2} as you go.",
    "In practice, a {adj} {noun} is fine as long as you {verb} the {noun2} regularly.",
    "Now, why does the {noun} matter so much for the {noun2}?",
]


def long_talk(hours: float = 3, *, auto_captions: bool = False) -> Talk:
    """A lecture of about 9,900 words an hour over eight topics, one chapter each.

    Sentences come from templates filled with each topic's vocabulary by a ``Random(42)``, so the
    text is the same on every run. ``auto_captions=True`` drops punctuation and capitals.
    """
    rng = random.Random(42)
    words_per_second = 2.75
    total_seconds = hours * 3600
    per_topic = total_seconds / len(_TOPICS)
    sizes = (7, 8, 6, 9, 8, 7)
    segments: list[Segment] = []
    chapters: list[Chapter] = []
    t = 0.0
    for index, (title, nouns, verbs, adjectives) in enumerate(_TOPICS):
        chapter_start = t
        chapter_end = (index + 1) * per_topic
        words: list[str] = []
        while chapter_start + len(words) / words_per_second < chapter_end:
            noun, noun2 = rng.sample(nouns, 2)
            sentence = rng.choice(_TEMPLATES).format(
                noun=noun,
                noun2=noun2,
                verb=rng.choice(verbs),
                adj=rng.choice(adjectives),
                num=rng.choice((10, 20, 30, 40, 60, 80)),
            )
            words.extend(_as_auto_caption(sentence) if auto_captions else sentence.split())
        for line in _caption_lines(words, sizes):
            duration = round(len(line) / words_per_second, 2)
            segments.append({"start": round(t, 2), "duration": duration, "text": " ".join(line)})
            t += duration
        chapters.append({"title": title, "start": round(chapter_start, 2), "end": round(t, 2)})
    return "Machine Learning From Scratch: Full Course", segments, chapters


# A short German talk: uploads whose language is detected, posts asked for in another language.
GERMAN_SRT = (
    "1\n00:00:01,000 --> 00:00:06,000\nKompost verwandelt Küchenabfälle in fruchtbare Erde "
    "für den Garten, wenn man ihn richtig pflegt.\n\n"
    "2\n00:00:06,500 --> 00:00:12,000\nMischen Sie grüne Abfälle mit braunem Laub und halten "
    "Sie den Haufen so feucht wie einen ausgewrungenen Schwamm.\n"
)


# A short English talk: the upload most CLI and form tests write a post from.
COMPOST_SRT = (
    "1\n00:00:01,000 --> 00:00:05,000\nCompost turns kitchen scraps into rich soil for the "
    "garden.\n\n2\n00:00:05,500 --> 00:00:10,000\nMix green scraps with brown leaves and keep "
    "the pile as damp as a wrung-out sponge.\n"
)

"""The offline writer: an extractive post that reads like a post, from any transcript."""

from __future__ import annotations

import re

import pytest

from providers.offline import stream_post, write_post
from providers.offline.ranking import TEXTRANK_GROUP, Vocabulary, centrality
from providers.offline.sections import Section
from providers.offline.sentences import build_sentences
from tests.fakes.transcripts import auto_captions_talk, long_talk, short_talk

VIDEO_ID = "dQw4w9WgXcQ"
VIDEO_URL = f"https://www.youtube.com/watch?v={VIDEO_ID}"
FILLERS = re.compile(r"\b(?:um|uh|erm)\b", re.I)


def _post(talk=short_talk, *, chapters: bool = True, **kwargs) -> str:
    title, segments, chapter_list = talk()
    return write_post(
        title=title,
        segments=segments,
        chapters=chapter_list if chapters else None,
        video_url=VIDEO_URL,
        video_id=VIDEO_ID,
        **kwargs,
    )


def _headings(post: str) -> list[str]:
    """Level-2 headings without their timestamp links."""
    return [
        re.sub(r"\s*\(\[[\d:]+\]\([^)]*\)\)$", "", line[3:])
        for line in post.splitlines()
        if line.startswith("## ")
    ]


def _prose_sentences(post: str) -> list[str]:
    """Sentences of the body text: intro, section paragraphs and takeaway bullets."""
    sentences = []
    for line in post.splitlines():
        if not line or line.startswith("#") or line.startswith("*"):
            continue
        text = re.sub(r"^- \*\*[^*]+:\*\* ", "", line)  # the bullet's bold label
        sentences.extend(s for s in re.split(r"(?<=[.!?…])\s+", text) if s)
    return sentences


def _normalized(sentence: str) -> str:
    return " ".join(re.findall(r"\w+", sentence.lower()))


def test_short_talk_reads_as_a_post_with_chapter_sections() -> None:
    post = _post()

    assert post.startswith("# How to Brew Better Coffee at Home\n")
    headings = _headings(post)
    for chapter in ("Grinding", "Water", "Brewing"):
        assert chapter in headings
    assert headings[-1] == "Key takeaways"
    bullets = [line for line in post.splitlines() if line.startswith("- ")]
    assert len(bullets) == 3
    assert "extractively" in post.splitlines()[-1]
    assert "no AI model" in post
    assert "subscribe" not in post.lower()  # channel boilerplate is not content


def test_sections_link_to_their_moment_in_the_video() -> None:
    post = _post()

    assert "## Grinding ([0:00](https://youtu.be/dQw4w9WgXcQ?t=0))" in post
    assert re.search(r"## Water \(\[1:\d\d\]\(https://youtu\.be/dQw4w9WgXcQ\?t=\d+\)\)", post)


def test_no_links_without_a_youtube_url() -> None:
    title, segments, chapters = short_talk()
    post = write_post(title=title, segments=segments, chapters=chapters)
    assert "youtu.be" not in post
    assert "## Grinding\n" in post


@pytest.mark.parametrize("talk", [short_talk, auto_captions_talk])
@pytest.mark.parametrize("chapters", [True, False])
def test_no_sentence_appears_twice(talk, chapters: bool) -> None:
    sentences = [_normalized(s) for s in _prose_sentences(_post(talk, chapters=chapters))]
    assert sentences
    duplicates = {s for s in sentences if sentences.count(s) > 1}
    assert not duplicates


def test_auto_captions_become_written_sentences() -> None:
    post = _post(auto_captions_talk)

    assert post.startswith("# Sourdough Bread for Beginners: My Easy Weekly Routine\n")
    sentences = _prose_sentences(post)
    assert len(sentences) >= 12
    for sentence in sentences:
        assert sentence[0].isupper() or sentence[0].isdigit(), sentence
        assert sentence[-1] in ".!?…", sentence
        assert len(sentence.split()) <= 30, sentence
    assert not FILLERS.search(post)
    assert "[Music]" not in post and "[Applause]" not in post
    assert " i " not in post  # the pronoun is capitalized
    assert "the the" not in post.lower()
    assert "you know" not in post.lower()


def test_headings_come_from_key_terms_without_chapters() -> None:
    _, segments, _ = short_talk()
    transcript = " ".join(str(s["text"]) for s in segments).lower()
    post = _post(chapters=False)

    headings = _headings(post)[:-1]  # all but "Key takeaways"
    assert len(headings) >= 2
    assert len(set(headings)) == len(headings)
    for heading in headings:
        assert heading[0].isupper()
        words = re.findall(r"[a-z]+", heading.lower())
        content = [w for w in words if w != "and"]
        assert 1 <= len(content) <= 4, heading
        for word in content:
            assert word in transcript, (heading, word)
    assert headings[-1] != "Key takeaways"
    assert "## Key takeaways" in post


def test_the_post_is_deterministic() -> None:
    assert _post() == _post()
    assert _post(auto_captions_talk, chapters=False) == _post(auto_captions_talk, chapters=False)


@pytest.mark.parametrize("chunk_chars", [1, 7, 40])
def test_stream_post_yields_the_same_text_in_pieces(chunk_chars: int) -> None:
    post = _post(auto_captions_talk)

    pieces = list(stream_post(post, chunk_chars=chunk_chars))

    assert len(pieces) > 1
    assert all(0 < len(p) <= chunk_chars for p in pieces)
    assert "".join(pieces) == post


def test_length_changes_how_much_is_written() -> None:
    short, medium, long = (_post(length=n) for n in ("short", "medium", "long"))
    assert len(short.split()) < len(medium.split()) < len(long.split())
    assert _post(length="nonsense") == medium


def test_three_hour_talk_gives_a_complete_post() -> None:
    title, segments, chapters = long_talk(3)
    post = write_post(
        title=title, segments=segments, chapters=chapters, video_url=VIDEO_URL, video_id=VIDEO_ID
    )

    headings = _headings(post)
    assert [h for h in headings if h != "Key takeaways"] == [c["title"] for c in chapters]
    assert "([2:" in post  # timestamps past two hours are h:mm:ss
    assert post.rstrip().endswith("*")
    assert 500 < len(post.split()) < 3000
    sentences = [_normalized(s) for s in _prose_sentences(post)]
    assert len(sentences) == len(set(sentences))


def test_three_hour_auto_captions_without_chapters() -> None:
    title, segments, _ = long_talk(3, auto_captions=True)
    post = write_post(title=title, segments=segments, length="long")

    headings = _headings(post)
    assert 6 <= len(headings) - 1 <= 8
    assert headings[-1] == "Key takeaways"


def test_empty_title_is_derived_from_key_terms() -> None:
    _, segments, chapters = short_talk()
    post = write_post(title="", segments=segments, chapters=chapters)
    first = post.splitlines()[0]
    assert first.startswith("# ") and len(first) > 4
    assert "coffee" in first.lower() or "water" in first.lower() or "grind" in first.lower()


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("HOW TO BREW BETTER COFFEE AT HOME - YouTube", "How to Brew Better Coffee at Home"),
        ("Midnight City (Official Video) #synthpop", "Midnight City"),
        ("Training a GPU CLUSTER FOR AI | Full Guide", "Training a GPU Cluster for AI: Full Guide"),
    ],
)
def test_titles_are_cleaned(raw: str, clean: str) -> None:
    _, segments, _ = short_talk()
    assert write_post(title=raw, segments=segments).startswith(f"# {clean}\n")


def test_a_plain_uploaded_transcript_without_times() -> None:
    _, segments, _ = short_talk()
    text = " ".join(str(s["text"]) for s in segments)
    post = write_post(title="", segments=[{"start": 0, "duration": 0, "text": text}])
    assert post.startswith("# ")
    assert "## Key takeaways" in post
    assert "youtu.be" not in post


def test_tiny_transcripts_give_a_short_valid_post() -> None:
    post = write_post(title="Hi", segments=[{"start": 0.0, "duration": 2.0, "text": "hello world"}])
    assert post.startswith("# Hi\n")
    assert "Hello world." in post
    assert "extractively" in post

    post = write_post(
        title="",
        segments=[
            {"start": 0.0, "duration": 1.0, "text": "[Music]"},
            {"start": 1.0, "duration": 2.0, "text": "um so this is it"},
        ],
    )
    assert post.startswith("# ")


@pytest.mark.parametrize(
    "segments",
    [[], [{"start": 0, "duration": 1, "text": "   "}], [{"start": 0, "duration": 1, "text": ""}]],
)
def test_no_text_at_all_is_a_value_error(segments) -> None:
    with pytest.raises(ValueError):
        write_post(title="Anything", segments=segments)


def test_punctuated_text_keeps_abbreviations_and_decimals_whole() -> None:
    text = (
        "Dr. Smith measured 3.5 grams of coffee, e.g. a small scoop, for every cup she brewed. "
        "She says the grind size matters more than the brand of the beans you buy. "
    ) * 3 + (
        "Water temperature changes the extraction of the coffee grounds a lot in the cup. "
        "A burr grinder keeps the particles even, so the coffee extracts evenly overall. "
        "The bloom lets carbon dioxide escape from the freshly roasted coffee beans first. "
    )
    segments = [{"start": 0.0, "duration": 60.0, "text": text}]
    post = write_post(title="Coffee notes", segments=segments)
    assert "Dr. Smith measured 3.5 grams of coffee, e.g. a small scoop, for every cup" in post


def test_other_languages_do_not_break_the_writer() -> None:
    sentences = [
        "Hoy vamos a hablar de cómo preparar un café mejor en casa sin gastar mucho.",
        "El café recién molido tiene mucho más aroma que el café molido del supermercado.",
        "Un molinillo de muelas produce partículas del mismo tamaño para el café.",
        "Si el café sabe ácido, la molienda tiene que ser más fina la próxima vez.",
        "Si el café sabe amargo, la molienda tiene que ser más gruesa y más uniforme.",
        "La temperatura del agua debe estar entre noventa y noventa y seis grados.",
        "El agua del grifo con mucho cloro arruina el sabor de cualquier café.",
        "La proporción de café y agua cambia por completo el sabor de la taza.",
        "Una báscula de cocina barata ayuda mucho a repetir la misma receta cada día.",
        "Después del florecimiento vierte el agua despacio en pequeños círculos.",
        "La prensa francesa necesita cuatro minutos antes de bajar el émbolo.",
        "Prueba el café, toma notas y cambia una sola variable cada vez.",
    ]
    segments = [{"start": i * 4.0, "duration": 4.0, "text": s} for i, s in enumerate(sentences * 2)]
    post = write_post(title="", segments=segments, language="es")
    assert post.startswith("# ")
    assert " and " not in post.splitlines()[0]
    assert "## Ideas clave" in post
    assert "extractiva" in post


@pytest.mark.parametrize("talk", [short_talk, auto_captions_talk])
@pytest.mark.parametrize("length", ["short", "medium", "long"])
def test_fixture_posts_keep_every_chapter_title_and_no_sentence_twice(talk, length: str) -> None:
    _, _, chapters = talk()
    post = _post(talk, length=length)

    assert [h for h in _headings(post) if h != "Key takeaways"] == [c["title"] for c in chapters]
    sentences = [_normalized(s) for s in _prose_sentences(post)]
    assert len(sentences) == len(set(sentences))


# TextRank: one sentence shares words with every other, one shares none.
_HUB = "A sourdough starter needs flour, water, a warm kitchen and a glass jar with a loose lid."
_SPOKES = [
    "Feed the starter with fresh flour every morning before breakfast.",
    "Filtered water keeps chlorine away from the wild yeast culture.",
    "A warm kitchen makes the bubbles rise twice as fast in summer.",
    "Choose a glass jar so you can watch the activity through the side.",
    "Rest the loose lid on top instead of screwing it shut tight.",
    "Stir the flour and water together until no dry lumps remain.",
]
_OUTLIER = "My neighbour repaired his old bicycle tyres yesterday afternoon."


def _ranked_section(texts: list[str]) -> Section:
    raw = [(text, float(i)) for i, text in enumerate(texts)]
    sentences = build_sentences(raw, punctuated=True, english=True)
    Vocabulary.build(sentences, english_hint=True)
    section = Section(sentences=sentences, start=0.0)
    section.scores = centrality(sentences)
    return section


def test_textrank_ranks_the_sentence_sharing_words_with_all_first_and_the_outlier_last() -> None:
    # The hub is neither first nor last, so position cannot be what ranks it.
    section = _ranked_section([_SPOKES[0], _SPOKES[1], _HUB, _OUTLIER, *_SPOKES[2:]])

    ranked = [s.text for s in section.ranked()]
    assert ranked[0] == _HUB
    assert ranked[-1] == _OUTLIER
    by_text = {s.text: section.scores[s.index] for s in section.sentences}
    assert by_text[_HUB] == pytest.approx(1.0)  # the best sentence of a graph scores 1
    assert all(0 < score < by_text[_HUB] for text, score in by_text.items() if text != _HUB)
    assert by_text[_OUTLIER] == min(by_text.values())


def test_textrank_caps_its_graphs_on_long_sections() -> None:
    pattern = [_SPOKES[0], _SPOKES[1], _HUB, *_SPOKES[2:]]
    texts = pattern * (2 * TEXTRANK_GROUP // len(pattern) + 1)
    assert len(texts) > 2 * TEXTRANK_GROUP  # ranked as three interleaved groups
    assert len(pattern) % 3  # so that the hub is said in each of them

    section = _ranked_section(texts)

    scores = section.scores
    assert len(scores) == len(texts)
    assert all(0 < v <= 1.0 + 1e-9 for v in scores.values())
    # Every group samples the whole section, so the hub wins in each of them.
    hub_scores = [scores[s.index] for s in section.sentences if s.text == _HUB]
    assert min(hub_scores) == pytest.approx(1.0)
    assert max(scores[s.index] for s in section.sentences if s.text != _HUB) < 1.0


# Two clear topics and no chapters: each half has its own key phrase.
_SOLAR = [
    "Solar panels turn sunlight into electricity for the whole house.",
    "We put twelve solar panels on the south side of the roof last spring.",
    "The inverter converts the current from the solar panels for the sockets.",
    "On a cloudy morning the solar panels still make a little power.",
    "Clean solar panels produce noticeably more electricity than dusty ones.",
    "The installer checked the roof angle before mounting the solar panels.",
    "A battery stores what the solar panels make during the afternoon.",
    "In winter the solar panels cover about a third of our electricity bill.",
    "Snow slides off the solar panels once the sun warms the glass.",
    "Our solar panels paid for themselves in roughly seven years.",
    "The monitoring app shows how much the solar panels produced each hour.",
    "Birds nesting under solar panels can be kept out with a simple mesh.",
    "Most solar panels come with a twenty five year warranty on output.",
    "The inverter is the part of a solar setup that fails first.",
    "Shade from one chimney can drag down a whole string of solar panels.",
]
_HEAT_PUMP = [
    "The heat pump pulls warmth from the outside air even in frost.",
    "Our old gas boiler went out when the heat pump came in.",
    "A heat pump works best with large radiators or floor heating.",
    "The installer sized the heat pump from a room by room heat loss survey.",
    "Good insulation lets a small heat pump keep the house warm.",
    "The heat pump runs slowly for hours instead of blasting hot water.",
    "In a cold snap the heat pump uses more electricity but keeps up.",
    "The outdoor unit of the heat pump hums about as loud as a fridge.",
    "A hot water cylinder stores heat from the heat pump for showers.",
    "Every spring we clean the fins on the heat pump with a soft brush.",
    "The thermostat for the heat pump stays at one steady temperature.",
    "Running costs for the heat pump came in lower than the old boiler.",
    "Defrost cycles are normal and the heat pump handles them itself.",
    "Radiators feel only warm to the touch when a heat pump drives them.",
    "The grant paid for half of the heat pump and its installation.",
]


def test_yake_key_phrases_name_each_topic_of_a_talk_without_chapters() -> None:
    lines = _SOLAR + _HEAT_PUMP
    segments = [{"start": i * 5.0, "duration": 5.0, "text": t} for i, t in enumerate(lines)]

    post = write_post(title="", segments=segments, video_url=VIDEO_URL, video_id=VIDEO_ID)

    headings = [h.lower() for h in _headings(post) if h != "Key takeaways"]
    assert len(headings) == 2
    assert "solar panels" in headings[0]
    assert "heat pump" in headings[1]
    title = post.splitlines()[0].lower()
    assert "solar panels" in title or "heat pump" in title


# --- what a reader would notice: tags, headings, dialogue -----------------------------------

_TALKS = {
    "es": [
        "Hoy vamos a hablar de cómo preparar un café mejor en casa sin gastar mucho.",
        "El café recién molido tiene mucho más aroma que el café molido del supermercado.",
        "Un molinillo de muelas produce partículas del mismo tamaño para el café.",
        "Si el café sabe ácido, la molienda tiene que ser más fina la próxima vez.",
        "La temperatura del agua debe estar entre noventa y noventa y seis grados.",
        "El agua del grifo con mucho cloro arruina el sabor de cualquier café.",
        "Una báscula de cocina barata ayuda mucho a repetir la misma receta cada día.",
        "La prensa francesa necesita cuatro minutos antes de bajar el émbolo.",
    ],
    "fr": [
        "Aujourd'hui je vais vous montrer comment préparer un meilleur café à la maison.",
        "Le café fraîchement moulu a beaucoup plus d'arôme que le café déjà moulu.",
        "Un moulin à meules donne des particules de la même taille pour le café.",
        "Si le café est acide, la mouture doit être plus fine la prochaine fois.",
        "La température de l'eau doit rester entre quatre-vingt-dix et quatre-vingt-seize degrés.",
        "L'eau du robinet chargée de chlore gâche le goût de n'importe quel café.",
        "Une balance de cuisine aide beaucoup à refaire la même recette chaque jour.",
        "La cafetière à piston a besoin de quatre minutes avant de baisser le filtre.",
    ],
    "de": [
        "Heute zeige ich euch, wie ihr zu Hause besseren Kaffee kochen könnt.",
        "Frisch gemahlener Kaffee hat viel mehr Aroma als Kaffee aus dem Supermarkt.",
        "Eine Kegelmühle mahlt die Bohnen zu Teilchen von gleicher Größe.",
        "Wenn der Kaffee sauer schmeckt, muss der Mahlgrad beim nächsten Mal feiner sein.",
        "Die Temperatur des Wassers sollte zwischen neunzig und sechsundneunzig Grad liegen.",
        "Leitungswasser mit viel Chlor verdirbt den Geschmack von jedem Kaffee.",
        "Eine günstige Küchenwaage hilft, jeden Tag dasselbe Rezept zu wiederholen.",
        "Die French Press braucht vier Minuten, bevor man den Stempel herunterdrückt.",
    ],
}


@pytest.mark.parametrize("language", ["en", "es", "fr", "de"])
def test_tags_and_headings_are_key_phrases_never_stop_words(language: str) -> None:
    from providers.offline import write
    from providers.offline.stopwords import stop_words

    if language == "en":
        title, segments, _ = short_talk()
    else:
        lines = _TALKS[language] * 3
        title = ""
        segments = [{"start": i * 4.0, "duration": 4.0, "text": t} for i, t in enumerate(lines)]
    post = write(title=title, segments=segments, language=language)

    stop = stop_words(language)
    assert 3 <= len(post.tags) <= 5, post.tags
    for tag in post.tags:
        assert tag == tag.lower() or tag.isupper(), tag
        words = re.findall(r"[^\W\d_]+", tag.lower())
        assert words and not any(w in stop for w in words), (tag, post.tags)
    for heading in _headings(post.markdown)[:-1]:
        words = re.findall(r"[^\W\d_]+", heading.lower())
        assert not all(w in stop for w in words), heading
        # One topic, not two key words side by side ("Voy y Mañana").
        assert not re.fullmatch(r"\S+ (?:and|y|et|und) \S+", heading), heading


def test_the_offline_kind_hands_its_tags_to_the_format_step() -> None:
    from providers.kinds.offline import OfflineKind
    from providers.prompts import PostRequest
    from providers.seo import split_seo

    title, segments, chapters = short_talk()
    request = PostRequest(title=title, transcript="", segments=segments, chapters=chapters)
    text = "".join(chunk.text for chunk in OfflineKind().write(request))

    body, seo = split_seo(text)
    assert seo is not None and len(seo.tags) >= 3
    assert "```" not in body
    assert any("grind" in tag or "coffee" in tag or "water" in tag for tag in seo.tags)


def _film(name: str, language: str) -> list[dict]:
    from pathlib import Path

    from videos.services import clean_transcript, parse_transcript_file

    path = Path(__file__).resolve().parent.parent / "fixtures" / "transcripts" / name
    segments = parse_transcript_file(name, path.read_bytes()).segments
    return clean_transcript(segments, language).segments


@pytest.mark.parametrize(
    ("name", "language", "says", "scene"),
    [
        ("pysrt_utf-8_excerpt.srt", "fr", "une conversation", "Scène"),
        ("webvtt_netflix_chicas_del_cable_excerpt.vtt", "es", "una conversación", "Escena"),
    ],
)
def test_a_film_is_summed_up_scene_by_scene_not_strung_as_quotes(
    name: str, language: str, says: str, scene: str
) -> None:
    segments = _film(name, language)
    post = write_post(title="", segments=segments, language=language, video_id=VIDEO_ID)

    lines = [ln for ln in post.splitlines() if ln]
    intro = lines[1]
    assert says in intro
    scenes = [h for h in _headings(post) if h.startswith(scene)]
    assert len(scenes) >= 2
    assert len(scenes) == len(set(scenes))
    # Each scene: one sentence saying what it turns on, then its lines quoted as lines.
    prose = [ln for ln in lines[2:-1] if not ln.startswith(("#", ">"))]
    quotes = [ln for ln in lines if ln.startswith("> ")]
    assert len(prose) == len(scenes)
    assert len(quotes) >= len(scenes)
    assert not any(re.fullmatch(r"[A-ZÀ-Ü ]{8,}", ln) for ln in lines)


def test_speakers_named_by_the_captions_are_credited() -> None:
    post = write_post(
        title="", segments=_film("webvtt_netflix_chicas_del_cable_excerpt.vtt", "es"), language="es"
    )

    assert "entre Alba, Pedro y Beltrán" in post
    assert re.search(r"^> .+ — Alba$", post, re.M)


@pytest.mark.parametrize("talk", [short_talk, auto_captions_talk])
def test_a_talk_is_not_taken_for_a_conversation(talk) -> None:
    post = _post(talk)
    assert "conversation" not in post
    assert not any(line.startswith("> ") for line in post.splitlines())

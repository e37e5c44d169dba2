"""The talk the browser tests upload as an .srt, and the post the fake model streams back."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import srt

from tests.fakes.transcripts import short_talk

TITLE = "Brew Better Coffee at Home"
REPLY = f"""# {TITLE}

You do not need expensive gear to make a great cup of coffee at home. Three things matter far
more than the machine on your counter: how you grind, the water you use, and how you brew.
Get those right and even a cheap pour-over will beat most cafés.

## Grind right before you brew

Coffee starts to go stale within minutes of being ground, so buy whole beans and grind them
just before brewing. A burr grinder crushes the beans between two plates and gives particles of
the same size, which extract evenly. A blade grinder makes dust and boulders. Match the grind to
the method: coarse like sea salt for a French press, medium like table salt for a pour-over, and
almost powder for espresso. If the cup tastes sour and thin, grind finer; if it tastes bitter
and harsh, grind coarser.

## Mind the water

Water is about ninety-eight percent of your cup. A simple carbon filter removes the chlorine
taste, but skip distilled water: coffee needs a few minerals to extract properly. Brew between
90 and 96 degrees Celsius, which is just off the boil. Weigh instead of scooping, and start with
one gram of coffee for every sixteen grams of water.

## Brew with a bloom

Rinse the paper filter, add the grounds and pour about twice their weight in water. Wait thirty
to forty-five seconds while the gas escapes, then pour the rest slowly in small circles. The
whole brew should take about three minutes.

## Taste and adjust

Great coffee is a loop of small changes. Change one thing at a time, write down what you did,
and taste the difference.
"""


def write_srt(path: Path) -> Path:
    _title, segments, _chapters = short_talk()
    subtitles = [
        srt.Subtitle(
            index=i,
            start=timedelta(seconds=s["start"]),
            end=timedelta(seconds=s["start"] + s["duration"]),
            content=s["text"],
        )
        for i, s in enumerate(segments, start=1)
    ]
    path.write_text(srt.compose(subtitles), encoding="utf-8")
    return path

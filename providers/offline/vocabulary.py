"""The offline writer's word lists: English stopwords, spoken numbers, the words that open, end
or glue spoken sentences, and the small words a title leaves in lower case.
"""

from __future__ import annotations


def word_set(text: str) -> frozenset[str]:
    """A word set written as one string, which keeps long vocabularies readable."""
    return frozenset(text.split())


def _word_list(text: str) -> list[str]:
    return text.split()


# Spoken numbers, in order of value.
UNIT_NAMES = _word_list(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
)
TENS_NAMES = _word_list("twenty thirty forty fifty sixty seventy eighty ninety")


EN_STOPWORDS = word_set(
    """
    a about above after again against ago all almost along already also although always am
    among an and another any anybody anyone anything anyway anywhere are aren't around as at
    away back be became because become been before being below between both but by can can't
    cannot could couldn't did didn't do does doesn't doing don't done down during each either
    else enough even ever every everybody everyone everything few for from further get gets
    getting give gives given go goes going gone got gotten had hadn't has hasn't have haven't
    having he he'd he'll he's her here here's hers herself him himself his how how's however i
    i'd i'll i'm i've if in into is isn't it it'd it'll it's its itself just least less let
    let's like likely made make makes making many may maybe me might mine more most much must
    my myself need needs neither never no nobody none nor not nothing now of off often oh ok
    okay on once one ones only onto or other others otherwise our ours ourselves out over own
    per perhaps please put puts quite rather really right said same say says see seen seem
    seems several shall she she'd she'll she's should shouldn't since so some somebody someone
    something sometimes somewhat still such sure take takes taking than that that's the their
    theirs them themselves then there there's these they they'd they'll they're they've thing
    things this those though through thus to too toward towards under until up upon us use
    used uses using very via want wants was wasn't way ways we we'd we'll we're we've well
    were weren't what what's whatever when when's where where's whether which while who who's
    whom whose why why's will with within without won't would wouldn't yes yet you you'd
    you'll you're you've your yours yourself yourselves actually alright basically gonna wanna
    gotta yeah yep hey guys lot lots kind sort stuff literally pretty definitely probably
    totally simply honestly obviously today video videos channel subscribe um uh erm hmm mean
    know knows think thinking thought look looks looking talk talking tell show showing bit
    little big good great new first second next last start starts started come comes came went
    try tried trying keep keeps able every able sometimes one two three four five six seven
    eight nine ten eleven twelve fifteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred thousand million half percent minute minutes second seconds hour hours day days
    week weeks time times year years gram grams degree degrees
    """
)

# Words that open a spoken sentence, and what may follow them for that reading to hold.
SO_OPENERS = word_set(
    """
    today the we i you now let's lets if what here this that's thats first next when once in
    for after before my your our it's its there these those yeah basically again how why a
    anyway
    """
)
SO_BLOCKERS = word_set(
    """
    and or not do did is was are be been just even think hope said more much i it's that's
    really very quite
    """
)
NOW_OPENERS = word_set("let's lets we i you the that if this for once when here it's there what")
NOW_BLOCKERS = word_set("right and until till by from for just even up out but so as")
STEP_OPENERS = word_set("i we you take add put it's let's")
STEP_BLOCKERS = word_set("and but the is was be until since by at a")
SUBJECTS = word_set("i we you")

# Sentence segmentation of run-on captions: how strongly a word opens a sentence...
OPENERS = {
    word: weight
    for weight, words in (
        (2.5, "i i'm i've i'll let's"),
        (2.0, "i'd we we're we'll we've here's finally"),
        (1.5, "it's that's there's they they're you're you'll you've if then but please now first"),
        (1.2, "you once this these next"),
        (1.0, "when after so also it that there and what"),
        (0.8, "gently how"),
        (0.7, "the my"),
        (0.6, "just"),
        (0.5, "your"),
        (0.4, "a"),
    )
    for word in words.split()
}

# ...words a sentence cannot end on...
NO_END = word_set(
    """
    the a an to of and or but so because if when whether than as my your our their his her its
    is are was were be been being am i we they i'm we're they're you're it's that's there's
    let's at for with from into onto by like after between without can could should would will shall
    might must may do does did don't doesn't didn't can't won't have has had very really just
    quite super pretty more most less some any every each no not also what where why how who
    which while until unless whose
    """
)
# ...and the company that confirms or rules out a reading.
VERBISH = word_set(
    """
    is was are will does did has had takes makes gets goes looks smells should can could might
    needs means works helps feels becomes lets gives really just also isn't doesn't won't
    depends matters
    """
)
AND_CLAUSE = word_set(
    """
    i we you it that this they then it's that's honestly if now so there we're i'm
    """
)
CLAUSE_TAKERS = word_set(
    """
    know think guess hope mean said say wish bet sure glad help show tell give let make get
    thank see want ask teach remind love bring send take hear told showed gave
    """
)
VERB_HINT = word_set(
    """
    mix add use get make put take pour fold flip score bake feed grab stretch cover grind buy
    brew check see watch need want have has had like love keep leave give find try drop
    preheat tip turn shape cut is are was were be into onto
    """
)
# Imperatives open the steps of a how-to ("... don't skip it / flip the dough onto ...").
IMPERATIVES = word_set(
    """
    add use put take make pour mix stir flip cut bake place remove grab fold turn check open
    click select choose set press hold keep wait remember note watch grind rinse tip cover
    preheat bring fill leave drop weigh measure heat let
    """
)
# Words a spoken sentence often ends on although they are not content words.
FINAL_WORDS = word_set("again too today anyway though")
ENDINGS = word_set(
    """
    it them this that too again here there now today though anyway
    """
)
NUMBER_WORDS = word_set(
    """
    one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred thousand million billion
    """
)

# Where a run-on caption sentence reads best when cut.
SPLIT_BEFORE = {"and": 3, "but": 3, "so": 2, "then": 2, "because": 1, "i": 1, "we": 1, "you": 1}

# A filler keeps its literal meaning after these ("do you know", "what kind of").
YOU_KNOW_KEEP_PREV = word_set(
    """
    do did don't didn't does doesn't if as would will you'll to what might may i we they let
    let's should could can you
    """
)
YOU_KNOW_KEEP_NEXT = word_set(
    """
    what how that why where when who whether if about it him her them me this your
    """
)
KIND_OF_KEEP_PREV = word_set(
    """
    a what this that some any the which every one no different same my your our their its his
    her these those all other right wrong weird new another
    """
)
LIKE_FILLER_PREV = word_set("and but so it's its is or")
LIKE_KEEP_NEXT = word_set("to that this it them him her me i we you when how")
LIKE_SIMILE_NEXT = word_set("a an the your my our their")  # "it is like a pet"
REPEAT_OK = word_set("that had")
SINGLE_FILLERS = word_set("um umm uh uhh uhm erm er hmm mm mhm ah")

# Words after which a removed ", you know," leaves no comma ("which is about").
GLUE_WORDS = word_set(
    """
    is was are were be the a an of to and but it's that's really just very so or
    """
)
BACK_REFERENCES = word_set("it this that these those they he she which them its")
CONJUNCTIONS = word_set("if when but because so and then once after")
SMALL_WORDS = word_set(
    """
    a an and as at but by for from in into nor of on or per the to vs via with
    """
)

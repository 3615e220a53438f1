"""The page's words for newcomers: what LEAD is, guided questions, a glossary, friendly
scenario names, and evidence codes turned into links to the locally served evidence page.

Scenario identifiers (``system_as_usual``) stay what the CLI and the files use; the page shows
the friendly name and keeps the identifier in small print.
"""

from __future__ import annotations

import re
from html import escape

ABOUT = (
    "**LEAD** (Law Enforcement Assisted Diversion) began in Seattle in 2011. When police meet "
    "someone for a low-level drug or sex-work offence, an officer may *divert* them to a LEAD "
    "case manager instead of *booking* them into jail (arrest, fingerprints, a cell and a court "
    "case). Officers can also refer people they meet without any arrest. Case managers, paid "
    "from the programme's budget, help with treatment and housing; each can hold only so many "
    "people, so a small budget means a waitlist.",
    "This page simulates thousands of people at risk of such arrests, day by day, twice over: "
    "with the policy you choose and with **system as usual** (no LEAD), using the same random "
    "draws, so the difference between the two is what the policy changes. The **map** shows "
    "where things happen in Seattle and south King County; the **charts** show the policy "
    "against the baseline over time, and the shaded bands show how much the result varies "
    "between random draws.",
)

QUESTIONS: tuple[tuple[str, str], ...] = (
    ("Press Play and watch 2011 to 2014. When do the two runs start to differ, and where on "
     "the map?",
     "Nothing differs before LEAD launches in Belltown and Skyway (October 2011): the "
     "'bookings averted' line is flat at zero until the dotted launch mark."),
    ("Set the LEAD budget to zero after the launch. What happens to the waitlist?",
     "Officers keep diverting people, but nobody is there to take them: the waitlist climbs "
     "and the plain-words panel says why."),
    ("Raise the officer diversion propensity. Do bookings averted grow as fast as arrests "
     "diverted?",
     "Compare the 'diversions' chart with 'bookings averted': some diverted people would not "
     "have been booked anyway, and caseload places run out."),
    ("Change the seed, or look at the shaded bands. How sure is 'bookings averted'?",
     "The band is the range over several random draws: a difference smaller than the band "
     "could be chance."),
)

GLOSSARY: dict[str, str] = {
    "booking": "Being taken to jail after an arrest: fingerprinted, held and charged. A "
               "diverted arrest is not booked.",
    "diversion": "An officer sends someone arrested for a low-level offence to LEAD instead "
                 "of booking them.",
    "propensity": "How likely something is to happen when it can: a propensity of 0.15 means "
                  "officers divert about 15 of 100 eligible arrests.",
    "social-contact referral": "An officer refers someone to LEAD without arresting them, "
                               "for example after meeting them on the street.",
    "caseload cap": "The most people one case manager can hold; beyond it people wait.",
    "full-time equivalents": "Staff counted as full-time posts: two half-time case managers "
                             "are one full-time equivalent (FTE).",
    "case manager": "A LEAD worker who meets participants, plans with them and connects them "
                    "with treatment, housing and benefits.",
    "green-light shifts": "In the 2011-2014 pilot, police shifts were randomly 'green-light' "
                          "(may divert to LEAD) or 'red-light' (arrest as usual), so the "
                          "evaluation had a comparison group.",
    "waitlist": "People referred to LEAD waiting for a caseload place.",
    "seed": "The number that starts the random draws. Same seed, same run; another seed is "
            "another equally likely history.",
    "baseline": "System as usual: the same people and random draws with no LEAD.",
    "county scale": "The simulation runs a sample of the county's people at risk; counts and "
                    "costs are multiplied up to the whole county.",
}

SCENARIO_NAMES: dict[str, str] = {
    "system_as_usual": "System as usual (no LEAD)",
    "pilot_2011": "The 2011 pilot (Belltown and Skyway)",
    "seattle_citywide": "LEAD across Seattle (2011-2019 expansion)",
    "king_county": "Seattle plus south King County cities",
    "full_capacity": "King County with enough case managers for everyone",
    "system_as_usual_2030": "System as usual to 2030 (no LEAD)",
    "king_county_2030": "King County to 2030, funding flat from 2026",
    "king_county_2030_grown": "King County to 2030, funding grown 10% a year from 2026",
    "king_county_2030_cut": "King County to 2030, funding cut 10% a year from 2026",
}


def friendly_scenario(name: str) -> str:
    """The page's name for a scenario (a file's stem as it is, if not a built-in one)."""
    return SCENARIO_NAMES.get(name, name)


EVIDENCE_PATH = "evidence"  # where the page serves the evidence file
_CODE = re.compile(r"(?<![\w#])(#\d+[a-z]?|[A-Z]\d{1,2}[a-z]?)(?![\w])")


def evidence_anchor(code: str) -> str:
    """The HTML id of an evidence row: ``#25`` -> ``ev-25``, ``O12`` -> ``ev-O12``."""
    return "ev-" + code.lstrip("#")


def link_sources(source: str) -> str:
    """``source`` as HTML, each evidence code a link to its row on the evidence page."""
    out, last = [], 0
    for match in _CODE.finditer(source):
        out.append(escape(source[last:match.start()]))
        code = match.group(1)
        out.append(f'<a href="/{EVIDENCE_PATH}#{evidence_anchor(code)}" target="_blank" '
                   f'rel="noopener" title="Evidence row {escape(code)}">{escape(code)}</a>')
        last = match.end()
    out.append(escape(source[last:]))
    return "".join(out)


def term(word: str, shown: str | None = None) -> str:
    """HTML for a glossary word: dotted underline, its definition shown on hover and on
    keyboard focus (a style-sheet tooltip: the browser's own title tooltip ignores focus)."""
    meaning = GLOSSARY[word]
    return (f'<abbr class="lead-term" tabindex="0" data-tip="{escape(meaning)}" '
            f'aria-label="{escape(shown or word)}: {escape(meaning)}">{escape(shown or word)}'
            '</abbr>')

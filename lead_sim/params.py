"""The parameter registry: every model parameter declared once.

Each :class:`Param` carries its default, bounds, unit, description and source. Sources cite rows
of ``evidence/lead_evidence.md`` by their number (``#16``, ``C6``, ``O10``); a value the
evidence does not give is marked ``assumption`` with the reason. Validation, ``lead-sim params``,
sensitivity sweeps and the web sliders all read this registry, so a number lives in one place.

Rates given in the evidence as probabilities over a period (12-month retention, say) are
declared as stated and turned into daily hazards in :mod:`lead_sim.model`, so the declaration
stays comparable with its source.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lead_sim.errors import LeadSimError, close_matches
from lead_sim.groups import MECHANISMS, equity_parameters, ratios
from lead_sim.param_spec import Param
from lead_sim.service_table import SERVICES

GROUPS = ("population", "behaviour", "policy", "capacity", "legal", "cost", "equity")


def _p(name, default, low, high, unit, group, description, source, **kw) -> Param:
    return Param(name, default, low, high, unit, description, source, group, **kw)


_A = "assumption"  # prefix for values the evidence file does not state
_DECLARED: list[Param] = [
    # ---- population -------------------------------------------------------------------------
    _p("population", 20_000, 100, 5_000_000, "people", "population",
       "People at risk of low-level drug or sex-work arrest across all neighbourhoods.",
       f"{_A}: order of magnitude from #58 (11,751 homeless in King County, 2020) and O5 "
       "(2,800 people behind a million downtown contacts)", kind="int", sweepable=False,
       start_only=True),
    _p("reference_population", 20_000, 100, 5_000_000, "people", "population",
       "Size of the county's population at risk that scenario budgets pay for. A run with a "
       "smaller 'population' is a sample of it: budgets are scaled by population / "
       "reference_population, so capacity per person at risk stays the same.",
       "same basis as 'population'", kind="int", sweepable=False, start_only=True),
    _p("share_homeless", 0.45, 0.0, 1.0, "share", "population",
       "Share of people at risk who are unhoused when they enter the model.",
       f"{_A}: above the 15.3% of jail inmates (#43) because the LEAD population was largely "
       "homeless (section 4)"),
    _p("share_severe_sud", 0.6, 0.0, 1.0, "share", "population",
       "Share with a severe substance-use disorder (needs treatment).",
       "#41: 63% of sentenced jail inmates met drug dependence/abuse criteria"),
    _p("share_mental_health_need", 0.3, 0.0, 1.0, "share", "population",
       "Share with a mental-health need.",
       f"{_A}: above the 17% serious mental illness in jails (#44), counting any need"),
    _p("share_no_income", 0.75, 0.0, 1.0, "share", "population",
       "Share with no income or benefits on entry.",
       "#24: 70% unemployed among Santa Fe LEAD clients (used for Seattle)"),
    _p("share_sex_work", 0.15, 0.0, 1.0, "share", "population",
       "Share whose low-level offences are sex work rather than drugs.",
       f"{_A}: LEAD took drug and prostitution cases; 39% of the LEAD group were female (#7)"),
    _p("share_violent_history", 0.08, 0.0, 1.0, "share", "population",
       "Share with a disqualifying violent history (never eligible for diversion).",
       f"{_A}: eligibility rules O6, O7; the share is not published"),
    _p("share_dealing", 0.07, 0.0, 1.0, "share", "population",
       "Share dealing above subsistence level, exploiting minors or promoting prostitution "
       "(never eligible).", f"{_A}: eligibility rules O6; the share is not published"),
    _p("mean_prior_convictions", 2.0, 0.0, 20.0, "convictions", "population",
       "Mean prior convictions on entry, for a person of average risk (riskier people have "
       "more).", f"{_A}: LEAD's pilot population had long records (O5)"),
    _p("median_grams", 0.4, 0.05, 5.0, "g", "population",
       "Median drug quantity a person carries at a contact (log-normal across contacts).",
       f"{_A}: chosen so that most possession contacts fall under the 3 g limit of O6"),
    _p("risk_heterogeneity", 1.6, 0.0, 2.5, "log-sd", "population",
       "Spread of individual contact risk (sd of a log-normal frailty).",
       f"{_A}: heavy tail of repeat contacts, O5 (2,800 people, a million contacts)"),
    _p("years_at_risk", 8.0, 1.0, 30.0, "years", "population",
       "Mean time a person stays at risk before desisting, moving or dying (then replaced).",
       "#38: annual arrest probability falls from 43% (year 1) to 22% (year 10)"),
    # ---- behaviour --------------------------------------------------------------------------
    _p("contact_rate", 0.0015, 0.0002, 0.02, "per person-day", "behaviour",
       "Daily rate of police contacts for a person of average risk at average police presence.",
       f"{_A}: set so 12-month re-arrest is near 44% (#37) given the frailty spread"),
    _p("probable_cause_share", 0.7, 0.1, 1.0, "share", "behaviour",
       "Share of contacts with probable cause for arrest (the rest are social contacts).",
       f"{_A}: social-contact referral is for people with known recent activity (O9)"),
    _p("hr_severe_sud", 1.6, 1.0, 4.0, "hazard ratio", "behaviour",
       "Contact hazard ratio for a severe substance-use disorder.",
       f"{_A}: direction from #41 (SUD concentrated among jail inmates)"),
    _p("hr_homeless", 1.5, 1.0, 4.0, "hazard ratio", "behaviour",
       "Contact hazard ratio for being unhoused.",
       "#43: jail inmates 7.5-11x as often homeless as the public; size is an assumption"),
    _p("hr_mental_health", 1.2, 1.0, 4.0, "hazard ratio", "behaviour",
       "Contact hazard ratio for an unmet mental-health need.", f"{_A}: #44 direction only"),
    _p("hr_lead_engaged", 0.55, 0.1, 1.0, "hazard ratio", "behaviour",
       "Contact hazard ratio while actively engaged with a LEAD case manager.",
       "#3/#4 (60% and 58% lower odds of arrest): an uncalibrated start; runs start from the "
       "fit to them, lead_sim/data/calibrated.toml (lead-sim calibrate, docs/validation.md)",
       lead_only=True),
    _p("hr_housed", 0.83, 0.3, 1.0, "hazard ratio", "behaviour",
       "Contact hazard ratio once housed through LEAD.",
       "#16: achieving housing -> 17% fewer arrests", lead_only=True),
    _p("hr_income", 0.67, 0.3, 1.0, "hazard ratio", "behaviour",
       "Contact hazard ratio once income, benefits or work is secured.",
       "#16: achieving employment -> 33% fewer arrests", lead_only=True),
    _p("hr_treatment", 0.69, 0.3, 1.0, "hazard ratio", "behaviour",
       "Contact hazard ratio while in or after completing treatment.",
       "#33 (INF): drug-court recidivism 50% -> 38%, as a hazard ratio ln(0.62)/ln(0.5)",
       lead_only=True),
    _p("hr_mental_health_served", 0.9, 0.3, 1.0, "hazard ratio", "behaviour",
       "Contact hazard ratio once a mental-health need is served.", f"{_A}: modest effect",
       lead_only=True),
    _p("treatment_retention_12m", 0.57, 0.05, 0.99, "share", "behaviour",
       "Share still in treatment 12 months after starting.",
       "#50: median retention in opioid substitution treatment 57% at 12 months", lead_only=True),
    _p("treatment_completion", 0.47, 0.0, 1.0, "share", "behaviour",
       "Share of treatment exits that are completions (lasting effect); the rest drop out.",
       "#52: TEDS discharges, 47% completed", lead_only=True),
    _p("housing_retention_12m", 0.84, 0.05, 0.99, "share", "behaviour",
       "Share still housed 12 months after being housed.",
       "#55: Housing First, 84% still housed after 12 months", lead_only=True),
    _p("intake_completion", 0.9, 0.1, 1.0, "share", "behaviour",
       "Share of referred people who complete the LEAD intake assessment within the window.",
       "#23: of 96 Santa Fe referrals not found ineligible, 3 declined and 6 missed intake",
       lead_only=True),
    _p("engaged_months", 12.0, 1.0, 60.0, "months", "behaviour",
       "Mean spell of active engagement before it lapses (it can resume: no fail-out).",
       "#23: 77% engaged in the past year, 20% not engaged for a year or more", lead_only=True),
    _p("inactive_months", 4.0, 0.5, 36.0, "months", "behaviour",
       "Mean spell of inactivity before engagement resumes.", "#23 and O18 (no fail-out)",
       lead_only=True),
    _p("waitlist_patience_days", 60.0, 1.0, 730.0, "days", "behaviour",
       "Mean time an enrolled person waits for a case manager before giving up.",
       f"{_A}: #23 (6 of 96 Santa Fe referrals did not complete intake in 7 days)", lead_only=True),
    _p("enrolment_months", 18.0, 3.0, 60.0, "months", "behaviour",
       "Mean time enrolled in LEAD before leaving the caseload.",
       "O18: services last 'from six months to two or more years'", lead_only=True),
    # ---- policy -----------------------------------------------------------------------------
    _p("diversion_propensity", 0.15, 0.0, 1.0, "probability", "policy",
       "Mean chance that an officer diverts an eligible arrest in a covered area (officers vary).",
       "#25, #28: officers divert few eligible arrests; value to be calibrated to O12",
       lead_only=True),
    _p("social_referral_propensity", 0.1, 0.0, 1.0, "probability", "policy",
       "Mean chance that an officer refers an eligible person met without arrest.",
       "O9: social-contact referral became the main route; #24: 55% social referrals",
       lead_only=True),
    _p("green_light_share", 1.0, 0.0, 1.0, "share of shifts", "policy",
       "Share of shifts on which diversion is allowed (pilot green-light/red-light design).",
       "O11: 'a handful of random shifts each month' in the pilot; 1 means every shift",
       lead_only=True),
    _p("eligible_max_grams", 3.0, 0.0, 50.0, "g", "policy",
       "Drug quantity above which a contact is not eligible for diversion.",
       "O6: ineligible if drugs involved exceed 3 grams", lead_only=True),
    _p("intake_window_days", 30, 1, 120, "days", "policy",
       "Days to complete intake after an arrest diversion before charges are filed.",
       "O10: charges held in abeyance 30 days", kind="int", lead_only=True),
    _p("staffing", "budget", None, None, "", "capacity",
       "How case managers are staffed: from the programme budget, or hired to meet demand at "
       "the caseload cap.", "scenario design (full_capacity uses 'demand')",
       kind="choice", choices=("budget", "demand"), sweepable=False),
    # ---- capacity ---------------------------------------------------------------------------
    _p("budget_usd_per_year", 0.0, 0.0, 100_000_000.0, "USD/year", "capacity",
       "Annual LEAD programme budget, turned into case managers and service slots (spent "
       "only once LEAD covers an area).",
       "O3 ($800,000/yr pilot), O19 (city funding); set by scenario timelines", lead_only=True),
    _p("case_management_share", 0.7, 0.0, 1.0, "share", "capacity",
       "Share of the programme budget spent on case managers (the rest, the services budget, "
       "on the service pools, split by their <pool>_budget_share).",
       f"{_A}: C12a says housing was the largest non-treatment cost", lead_only=True),
    _p("caseload_cap", 44, 5, 200, "participants", "capacity",
       "Most participants one case manager holds.",
       "O16: design 20-25, observed average 44 (Oct 2019)", kind="int", lead_only=True),
    _p("caseload_design", 25, 5, 100, "participants", "capacity",
       "Caseload at which case management works as designed; above it work slows.",
       "O16, O17: 'under no circumstances' more than 25", kind="int", lead_only=True),
    _p("need_work_days", 30.0, 3.0, 365.0, "days", "capacity",
       "Mean days for a case manager at design caseload to resolve a participant's top need.",
       f"{_A}: #13-15 report housing and benefits gains over an 18-month follow-up",
       lead_only=True),
    # ---- legal ------------------------------------------------------------------------------
    _p("booking_share", 0.85, 0.0, 1.0, "share", "legal",
       "Share of non-diverted arrests that are booked into jail (the rest cited and released).",
       f"{_A}"),
    _p("booking_release_days", 1.0, 0.5, 3.0, "days", "legal",
       "Mean days in jail before release of a booking not held pretrial (released at "
       "personal-recognizance screening or first appearance).",
       "J13: PR screening a few hours after booking, first appearance within 24-48 hours"),
    _p("pretrial_hold_share_misdemeanor", 0.31, 0.0, 1.0, "share", "legal",
       "Share of misdemeanour bookings (of a person without prior convictions) held pretrial "
       "until the next court date.",
       "J14: 31% of in-custody Seattle misdemeanour defendants waited in jail (2014)"),
    _p("pretrial_hold_share_felony", 0.30, 0.0, 1.0, "share", "legal",
       "Share of felony bookings (of a person without prior convictions) held pretrial.",
       "J17, J18: 28-38% of felony and drug defendants detained to disposition (BJS, large "
       "counties; no King County figure, J16)"),
    _p("pretrial_hold_or_prior", 1.15, 1.0, 2.0, "odds ratio", "legal",
       "Odds ratio of a pretrial hold per prior conviction (up to six): bail and release "
       "decisions weigh criminal history.",
       f"{_A}: J17 (most detained defendants did not post the bail set); no local figure"),
    _p("pretrial_days_misdemeanor", 10.0, 1.0, 60.0, "days", "legal",
       "Mean pretrial jail stay for a misdemeanour hold (a court date ends it sooner).",
       "J11: Seattle misdemeanants average 10 days in jail, 63% of them pretrial"),
    _p("pretrial_days_felony", 37.0, 1.0, 180.0, "days", "legal",
       "Mean pretrial jail stay for a felony hold (a court date ends it sooner).",
       "J18: median 37 days from arrest to disposition for detained drug defendants; J3: "
       "King County felony pretrial stays of 70-86 days for assault and robbery"),
    _p("charge_filing_share", 0.7, 0.0, 1.0, "share", "legal",
       "Share of non-diverted arrests on which prosecutors file a charge.", f"{_A}"),
    _p("charge_min_grams", 0.0, 0.0, 10.0, "g", "legal",
       "Possession below this quantity is not charged.",
       "O15: KC stopped charging most possession under 1 g from Sep 2018 (set by timeline)"),
    _p("possession_class", "felony", None, None, "", "legal",
       "Legal class of simple drug possession.",
       "O25: class C felony before State v. Blake (2021), then misdemeanour, then gross "
       "misdemeanour from Jul 2023", kind="choice",
       choices=("felony", "misdemeanor", "gross_misdemeanor"), sweepable=False),
    _p("felony_filing_share", 0.5, 0.0, 1.0, "share", "legal",
       "Share of possession charges filed as felonies while possession is a felony.",
       f"{_A}: #48 ('we no longer hold many low level drug offenders')"),
    _p("referral_in_lieu_arrests", 0, 0, 5, "arrests", "legal",
       "Possession arrests per person that must be referred to assessment instead of booked.",
       "O25: ESB 5476 (2021-2023), the first two arrests", kind="int", sweepable=False),
    _p("pretrial_diversion_share", 0.0, 0.0, 1.0, "share", "legal",
       "Share of possession charges (not felonies) diverted pretrial and dismissed, not tried.",
       f"O25: SB 5536 pretrial diversion from Jul 2023 (by timeline); {_A} for its uptake",
       sweepable=False),
    _p("misdemeanor_booking_restriction", "none", None, None, "", "legal",
       "Where the jail refuses most non-felony bookings (COVID-era restrictions).",
       "O24: lifted downtown 24 Jul 2024, rest of Seattle 1 Nov 2024, elsewhere 1 Feb 2025",
       kind="choice", choices=("none", "everywhere", "outside_downtown", "outside_seattle")),
    _p("restricted_booking_share", 0.1, 0.0, 1.0, "share", "legal",
       "Share of non-felony arrests still booked where bookings are restricted (O24).",
       f"{_A}: exceptions for serious offences, and daily caps (O24)"),
    _p("conviction_share", 0.6, 0.0, 1.0, "share", "legal",
       "Share of filed charges ending in conviction.", f"{_A}"),
    _p("court_days", 90.0, 7.0, 720.0, "days", "legal",
       "Mean days from filing to disposition.",
       "J20: national median 66 days from arrest to adjudication of drug felonies (an "
       "exponential wait with mean 90 days has median 62); J21: trial within 60 days in "
       "custody, 90 out"),
    _p("jail_sentence_share", 0.5, 0.0, 1.0, "share", "legal",
       "Share of convictions that carry a jail sentence (the rest probation or fines).", f"{_A}"),
    _p("jail_sentence_days", 30.0, 1.0, 364.0, "days", "legal",
       "Mean misdemeanour jail sentence served.",
       "C22: misdemeanour max 90 days, gross 364; size assumed"),
    _p("sentence_served_share", 0.67, 0.3, 1.0, "share", "legal",
       "Share of a felony jail sentence served (the rest earned early release); the sentence "
       "itself is drawn from the drug sentencing grid's range for the prior record.",
       f"{_A}: earned release of up to a third; grid J35, J36, J38"),
    _p("prison_share_felony", 0.1, 0.0, 1.0, "share", "legal",
       "Share of felony convictions with three or more prior convictions sent to prison.",
       f"{_A}: #48 (state law cut prison time for low-level drug offences)"),
    _p("prison_days", 450.0, 365.0, 3650.0, "days", "legal",
       "Mean prison stay.", "C22: a felony sentence exceeds 364 days; size assumed"),
    _p("supervision_share", 0.5, 0.0, 1.0, "share", "legal",
       "Share of convictions followed by community supervision (probation, or community "
       "custody after a jail or prison term).",
       f"{_A}: #39 (46% of releasees had a supervision violation or arrest leading to "
       "imprisonment within 5 years, so supervision is common)"),
    _p("supervision_days", 365.0, 30.0, 1825.0, "days", "legal",
       "Mean length of a supervision term, counted from release (or sentencing if none).", f"{_A}"),
    _p("supervision_violation_rate", 0.5, 0.0, 5.0, "per person-year", "legal",
       "Technical violations per person-year under supervision; each is sanctioned with a "
       "short jail stay.", f"{_A}: #39"),
    _p("violation_jail_days", 3.0, 1.0, 60.0, "days", "legal",
       "Mean jail stay of a violation sanction.", f"{_A}"),
    # ---- cost -------------------------------------------------------------------------------
    _p("police_hours_per_arrest", 9.3, 0.5, 40.0, "officer-hours", "cost",
       "Officer time per arrest not diverted: booked, cited, or referred to assessment in "
       "lieu of booking (ESB 5476).", "C12b: 9.3 officer-hours per arrest (Santa Fe)"),
    _p("police_hours_per_diversion", 2.0, 0.1, 20.0, "officer-hours", "cost",
       "Officer time per arrest diversion (warm hand-off).",
       "O10: hand-off 'ideally within 30 minutes'; paperwork assumed", lead_only=True),
    _p("police_hours_per_referral", 1.0, 0.1, 20.0, "officer-hours", "cost",
       "Officer time per social-contact referral.", f"{_A}", lead_only=True),
    _p("police_hourly_cost", 80.0, 20.0, 300.0, "USD/hour", "cost",
       "Loaded cost of an officer-hour.", f"{_A}"),
    _p("booking_cost", 137.65, 0.0, 1000.0, "USD", "cost",
       "Jail cost of one booking.", "C5: $137.65 booking fee per prisoner"),
    _p("jail_bed_day_cost", 205.0, 20.0, 600.0, "USD/bed-day", "cost",
       "Average jail cost per bed-day.", "C6: Seattle-King County contract rate $205 (2021)"),
    _p("jail_marginal_bed_day_cost", 60.0, 5.0, 600.0, "USD/bed-day", "cost",
       "Marginal jail cost per bed-day (what one fewer bed-day saves).",
       f"{_A}: C6 shows a minimum-use contract, so most of the rate is fixed"),
    _p("prison_bed_day_cost", 113.0, 20.0, 600.0, "USD/bed-day", "cost",
       "State prison cost per bed-day.", "C10a: $41,232 per year (2019) / 365"),
    _p("prosecution_cost_misdemeanor", 400.0, 0.0, 20_000.0, "USD/charge filed", "cost",
       "Prosecution cost per misdemeanour charge filed, one that joins an open case included.",
       f"{_A}: none found (section 2)"),
    _p("prosecution_cost_felony", 1500.0, 0.0, 50_000.0, "USD/charge filed", "cost",
       "Prosecution cost per felony charge filed, one that joins an open case included.",
       f"{_A}: none found (section 2)"),
    _p("defense_cost_misdemeanor", 430.0, 0.0, 20_000.0, "USD/charge filed", "cost",
       "Public defence cost per misdemeanour charge filed, one that joins an open case included.",
       "C20 (INF): 350 misdemeanours per attorney-year at an assumed $150,000"),
    _p("defense_cost_felony", 1000.0, 0.0, 50_000.0, "USD/charge filed", "cost",
       "Public defence cost per felony charge filed, one that joins an open case included.",
       "C20 (INF): 150 felonies per attorney-year at an assumed $150,000"),
    _p("court_cost_misdemeanor", 300.0, 0.0, 20_000.0, "USD/charge filed", "cost",
       "Court cost per misdemeanour charge filed, one that joins an open case (and shares its "
       "court date) included.", f"{_A}: none found (section 2)"),
    _p("court_cost_felony", 1200.0, 0.0, 50_000.0, "USD/charge filed", "cost",
       "Court cost per felony charge filed, one that joins an open case (and shares its court "
       "date) included.", f"{_A}: none found (section 2)"),
    _p("supervision_day_cost", 10.0, 0.0, 200.0, "USD/person-day", "cost",
       "Cost of one person-day of community supervision.", f"{_A}: none found (section 2)"),
    _p("case_manager_annual_cost", 140_000.0, 30_000.0, 400_000.0, "USD/year", "cost",
       "Loaded annual cost of one case manager, programme overhead included.",
       "C1 (INF): $532 per participant-month x 12 x a caseload of 22", lead_only=True),
    _p("treatment_day_cost", 18.0, 1.0, 500.0, "USD/slot-day", "cost",
       "Cost of one occupied treatment slot per day.", "C13: methadone $6,552 per year / 365",
       lead_only=True),
    _p("housing_day_cost", 35.0, 1.0, 500.0, "USD/unit-day", "cost",
       "Cost of one occupied supportive-housing unit per day.",
       f"{_A}: C12a says housing was the largest non-treatment cost", lead_only=True),
]
# Each service pool's share of the services budget, from the table's split (searchable too).
_DECLARED += [_p(f"{s.name}_budget_share", s.budget_share, 0.0, 1.0, "share", "capacity",
                 f"Share of the services budget (after case managers) spent on {s.holding}; "
                 "shares adding up to over 1 are scaled down to add up to 1.",
                 f"{_A}: the service table's split; C12a says housing was the largest "
                 "non-treatment cost", lead_only=True) for s in SERVICES]

# ---- equity: who is treated apart, and how (lead_sim.groups, docs/equity.md) -----------------
_DECLARED += [_p(*row[:5], "equity", *row[5:7], **row[7]) for row in equity_parameters()]
REGISTRY: dict[str, Param] = {p.name: p for p in _DECLARED}
# Parameters that act only through LEAD (declared with lead_only=True): until a scenario first
# covers an area or funds the programme, nobody is in LEAD, so their values change nothing.
# Sweeps use this to share the days before LEAD starts (lead_sim.runs.branching.defer_lead_params);
# tests/test_branching.py checks it for every one of them.
LEAD_ONLY = frozenset(name for name, param in REGISTRY.items() if param.lead_only)
# Who pays: the legal system, the programme's case managers, then each service pool (its name).
PAYERS = ("police", "jail", "prosecution", "public_defense", "courts", "prison", "supervision",
          "lead_case_management", *(service.name for service in SERVICES))


def check_name(name: str, where: str = "") -> Param:
    """Return the declared parameter ``name`` or fail with the closest valid names."""
    if name not in REGISTRY:
        at = f" in {where}" if where else ""
        raise LeadSimError(
            f"Unknown parameter '{name}'{at}.{close_matches(name, REGISTRY)} "
            "Run 'lead-sim params' for the full list."
        )
    return REGISTRY[name]


for _service in SERVICES:  # the service table names parameters declared above
    for _name in _service.parameters():
        check_name(_name, f"the service table (pool '{_service.name}')")

# The numeric parameters as one tuple for compiled code (``values.contact_rate``), with the two
# choice parameters as the flags the model tests, and each service parameter again as a tuple
# by pool (``values.service_day_cost[pool]``; a pool without completions has 0).
_NUMERIC = tuple(name for name, param in REGISTRY.items() if param.kind != "choice")
_BY_POOL = ("day_cost", "retention", "hazard_ratio", "completion")
_BY_GROUP = tuple(mechanism[0] for mechanism in MECHANISMS)  # values.group_contact[group] ...
Values = namedtuple("Values", (*_NUMERIC, "felony_law", "demand_staffing",
                               *(f"service_{field}" for field in _BY_POOL),
                               *(f"group_{name}" for name in _BY_GROUP)))


@dataclass(frozen=True)
class Params(Mapping[str, Any]):
    """A complete, validated set of parameter values (defaults plus overrides)."""

    values: dict[str, Any] = field(
        default_factory=lambda: {n: p.default for n, p in REGISTRY.items()})

    @classmethod
    def with_overrides(cls, overrides: Mapping[str, Any] | None = None, where: str = "") -> Params:
        """Defaults updated by ``overrides``, each checked against its declaration."""
        return cls().updated(overrides or {}, where)

    def updated(self, overrides: Mapping[str, Any], where: str = "") -> Params:
        """A copy with ``overrides`` validated and applied."""
        values = dict(self.values)
        for name, value in overrides.items():
            values[name] = check_name(name, where).validate(value, where)
        return Params(values)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def numbers(self) -> Values:
        """These values as compiled code reads them (floats, and flags for the choices)."""
        v = self.values
        by_pool = {f"service_{field}": tuple(float(v[name]) if (name := getattr(s, field)) else 0.0
                                              for s in SERVICES) for field in _BY_POOL}
        return Values(*(float(v[name]) for name in _NUMERIC),
                      felony_law=v["possession_class"] == "felony",
                      demand_staffing=v["staffing"] == "demand", **by_pool,
                      **{f"group_{name}": ratios(v, name) for name in _BY_GROUP})

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)



"""The headline of a comparison in people: one sentence per design, used by the CLI and the report.

A single effort reaches a few dozen of an estate's 5,000 residents, so area rates hide what it does
("+0.6 pp"). The headline therefore counts people first: extra residents in work at the horizon,
dropouts prevented over the run, each with the paired 95 % interval of simulation noise only and,
where the run drew parameter sets, the wider one that includes parameter uncertainty; then the
group that gains most, the effect on the residents the design reached, and what holds it back
(docs/ODD.md 'Observation').

Every input beyond the summary is optional: a clause whose input is missing is left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim import metrics
from sim.reporting.numbers import finite, quantity, signed

# Plain words for the gain of each count: (table header, phrase after the number).
GAIN_WORDS: dict[str, tuple[str, str]] = {
    "employed_16_64": ("Extra in ordinary jobs", "residents in ordinary jobs"),
    "working_16_64": ("Extra in any work", "residents in any work"),
    "employed_person_years_area": ("Person-years in work gained", "person-years in ordinary jobs"),
    "cum_dropouts_area": ("Dropouts prevented", "dropouts prevented"),
    "neet_15_29": ("Fewer NEET 15-29", "fewer young people outside education and work"),
    "matches_started_cum": ("Relations started", "mentoring relations started"),
    "relations_completed_cum": ("Relations completed", "relations completed"),
    "people_reached_cum": ("People reached", "people reached"),
}
# The counts named in the headline sentence (the rest are in the tables).
SENTENCE = ("employed_16_64", "working_16_64", "cum_dropouts_area")
# Outcomes that are a share of people at the horizon (groups.csv, reached.csv), in reading order.
SHARE_OUTCOMES = ("job", "work", "education", "neet")
# Groups that are everyone, not a target group: never "the group that gains most".
EVERYONE = frozenset({"all", "everyone", "all_residents", "total", "any"})
INTERVALS_NOTE = (
    "Square brackets give the 95 % interval allowing for chance alone (the luck of the simulated "
    "residents, the same in every design); the interval marked 'with parameter uncertainty' also "
    "allows for not knowing the model's fitted parameters exactly, so it is wider and is the one "
    "to plan with."
)
NOISE_ONLY_NOTE = (
    "Square brackets give the 95 % interval allowing for chance alone (the luck of the simulated "
    "residents, the same in every design); this run used the fitted parameter values only, so "
    "the intervals do not include the uncertainty of those values."
)


def people_indicators() -> tuple[tuple[str, str, int], ...]:
    """(indicator, label, sign) of the people counts in headline order (sim.metrics.PEOPLE)."""
    return metrics.PEOPLE


@dataclass(frozen=True)
class Gain:
    """One people count of a design against the baseline, turned so that positive is the gain.

    Attributes:
        indicator: The summary's indicator.
        header: Short column header.
        phrase: Words after the number in a sentence.
        mean: Mean paired gain (NaN when not computed).
        ci_low: Lower end of the noise-only 95 % interval.
        ci_high: Upper end of it.
        pi_low: Lower end of the interval with parameter uncertainty (NaN when not computed).
        pi_high: Upper end of it.
        level: The baseline's mean level of the indicator.
    """

    indicator: str
    header: str
    phrase: str
    mean: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float
    level: float

    @property
    def decimals(self) -> int:
        """Whole people once the value or its interval reaches ten, else one decimal (it is a mean)."""
        ends = [
            abs(v) for v in (self.mean, self.ci_low, self.ci_high, self.pi_low, self.pi_high) if finite(v)
        ]
        return 0 if ends and max(ends) >= 10 else 1

    def value(self) -> str:
        """The gain with its sign, e.g. "+12"."""
        return signed(self.mean, "", self.decimals)

    def ci(self) -> str:
        """The noise-only interval, e.g. "[4, 20]"; empty when there is none."""
        return _bracket(self.ci_low, self.ci_high, self.decimals)

    def pi(self) -> str:
        """The interval with parameter uncertainty, e.g. "[-3, 27]"; empty when there is none."""
        return _bracket(self.pi_low, self.pi_high, self.decimals)


def _bracket(low: float, high: float, decimals: int) -> str:
    if not (finite(low) and finite(high)):
        return ""
    return f"[{quantity(low, '', decimals)}, {quantity(high, '', decimals)}]"


def _num(row: Mapping[str, Any] | None, key: str) -> float:
    value = None if row is None else row.get(key)
    return float(value) if finite(value) else float("nan")


def _horizon(summary: pd.DataFrame, scenario: str) -> dict[str, dict[str, Any]]:
    """The summary's horizon rows of one scenario, by indicator."""
    if summary.empty:
        return {}
    rows = summary[
        (summary["scenario"].astype(str) == scenario) & (summary["period"].astype(str) == "horizon")
    ]
    return {str(r["indicator"]): r for r in rows.to_dict("records")}


def people_gains(summary: pd.DataFrame, scenario: str, baseline: str | None = None) -> list[Gain]:
    """The people counts of a design against the baseline, in headline order, gains positive.

    Args:
        summary: The comparison's summary table (:func:`sim.runs.summary.summarise`).
        scenario: The design.
        baseline: The baseline's name, for the baseline's level of each count.

    Returns:
        One :class:`Gain` per people count the summary has for the scenario.
    """
    own = _horizon(summary, scenario)
    base = _horizon(summary, baseline) if baseline is not None else {}
    gains = []
    for indicator, label, sign in people_indicators():
        row = own.get(indicator)
        if row is None:
            continue
        header, phrase = GAIN_WORDS.get(indicator, (label, label[:1].lower() + label[1:]))
        ends = [sign * _num(row, k) for k in ("diff_ci_low", "diff_ci_high", "diff_pi_low", "diff_pi_high")]
        if sign < 0:  # fewer is the gain: the interval turns round
            ends = [ends[1], ends[0], ends[3], ends[2]]
        gains.append(
            Gain(
                indicator,
                header,
                phrase,
                sign * _num(row, "diff_mean") + 0.0,  # + 0.0: no "-0"
                *ends,
                level=_num(base.get(indicator), "mean"),
            )
        )
    return gains


def display_name(scenario: str) -> str:
    """A scenario's file name in words, e.g. "social_mentor" -> "Social mentor"."""
    words = scenario.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else scenario


def gain_clause(gain: Gain) -> str:
    """E.g. "+12 residents in ordinary jobs [4, 20] (with parameter uncertainty [-3, 27])"."""
    text = f"{gain.value()} {gain.phrase}"
    if gain.ci():
        text += f" {gain.ci()}"
    if gain.pi():
        text += f" (with parameter uncertainty {gain.pi()})"
    return text


def _outcome_sign(outcome: str) -> int:
    signs = {indicator: sign for indicator, _, sign in people_indicators()}
    if outcome in signs:
        return int(signs[outcome])
    return -1 if any(w in outcome.lower() for w in ("dropout", "neet", "unemploy")) else 1


def _words(row: Mapping[str, Any], key: str, fallback: str) -> str:
    value = row.get(key)
    text = str(value) if isinstance(value, str) and value else str(row.get(fallback, ""))
    return text.replace("_", " ")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def top_group(groups: pd.DataFrame | None, scenario: str) -> str | None:
    """Which target group gains most, in words; None without a groups table for the scenario.

    The gain is the paired difference of the group's rate (a share of the group), turned so that
    fewer dropouts or NEET count as a gain. Groups whose noise-only interval excludes zero come
    first; if none does, the sentence says that no group gains clearly.
    """
    if groups is None or groups.empty or "scenario" not in groups:
        return None
    rows = groups[groups["scenario"].astype(str) == scenario].to_dict("records")
    # Shares of the group at the horizon only: person-years per member are no percentage.
    rows = [
        r
        for r in rows
        if str(r.get("group", "")).lower() not in EVERYONE and r.get("outcome") in SHARE_OUTCOMES
    ]
    scored = []
    for r in rows:
        sign = _outcome_sign(str(r.get("outcome", "")))
        mean = sign * _num(r, "rate_diff_mean")
        low = min(sign * _num(r, "rate_diff_ci_low"), sign * _num(r, "rate_diff_ci_high"))
        if finite(mean):
            scored.append((finite(low) and low > 0, mean, r))
    if not scored:
        return None
    clear, _, best = max(scored, key=lambda s: (s[0], s[1]))
    group = _words(best, "group_label", "group")
    outcome = _lower_first(_words(best, "outcome_label", "outcome"))
    detail = f"{signed(best.get('rate_diff_mean'), 'share')} {outcome}"
    ci = _bracket(_num(best, "rate_diff_ci_low") * 100, _num(best, "rate_diff_ci_high") * 100, 1)
    detail += f" {ci}" if ci else ""
    if finite(best.get("diff_mean")):
        detail += f", {signed(best['diff_mean'], '', 1)} people"
    if clear:
        return f"gains most: {group} ({detail})"
    return f"no target group gains clearly (largest: {group}, {detail})"


def reached_clause(reached: pd.DataFrame | None, scenario: str, outcomes: int = 2) -> str | None:
    """The average effect on the residents the design reached, in words; None without the table.

    Reads the rows of everyone the design itself reached (help ``design``: what the baseline lacks
    or runs differently; group ``all``) and names the effect on up to ``outcomes`` outcomes, with
    its noise-only interval and how many must be reached for one more. Without such rows it reads
    those covering the most residents.
    """
    if reached is None or reached.empty or "scenario" not in reached:
        return None
    rows = reached[reached["scenario"].astype(str) == scenario]
    own = rows[
        (rows.get("help", pd.Series("", index=rows.index)).astype(str) == "design")
        & (rows.get("group", pd.Series("", index=rows.index)).astype(str) == "all")
        & rows.get("outcome", pd.Series("", index=rows.index)).isin(SHARE_OUTCOMES)
    ]
    rows = own if not own.empty else rows
    counts = pd.to_numeric(rows.get("reached"), errors="coerce") if not rows.empty else None
    if counts is None or not counts.notna().any():
        return None
    rows = rows[counts == counts.max()]
    broad = rows[
        rows.get("help", pd.Series("", index=rows.index)).astype(str).str.lower().isin(EVERYONE)
        & rows.get("group", pd.Series("", index=rows.index)).astype(str).str.lower().isin(EVERYONE)
    ]
    rows = broad if not broad.empty else rows
    first = rows.iloc[0].to_dict()
    size = int(float(first["reached"]))
    if size == 0:
        return "reached no one"
    parts = []
    for r in rows.drop_duplicates("outcome").head(outcomes).to_dict("records"):
        text = f"{signed(r.get('effect'), 'share')} {_lower_first(_words(r, 'outcome_label', 'outcome'))}"
        ci = _bracket(_num(r, "effect_ci_low") * 100, _num(r, "effect_ci_high") * 100, 1)
        text += f" {ci}" if ci else ""
        if finite(r.get("reached_per_extra")):
            text += f" (one more per {quantity(r['reached_per_extra'], '', 0)} reached)"
        parts.append(text)
    return f"for the {quantity(size, '', 0)} people the design reached: " + ", ".join(parts)


def constraint_clause(summary: pd.DataFrame, scenario: str, sentence: str | None = None) -> str | None:
    """What holds the design back, as a clause: the given sentence, else the summary's own.

    The summary's ``binding_constraint`` row holds the sentence (sim.runs.summary.bottlenecks).
    """
    if not sentence:
        row = _horizon(summary, scenario).get("binding_constraint")
        note = row.get("note") if row is not None else None
        sentence = note if isinstance(note, str) else ""  # NaN when read from a CSV
    return _lower_first(sentence.strip().rstrip(".")) or None


def design_headline(
    summary: pd.DataFrame,
    groups: pd.DataFrame | None,
    reached: pd.DataFrame | None,
    scenario: str,
    constraint: str | None = None,
) -> str:
    """One plain sentence on a design against the baseline, people first.

    E.g. "Social mentor: +12 residents in ordinary jobs [4, 20] (with parameter uncertainty
    [-3, 27]), +3 dropouts prevented [1, 5]; gains most: long-term unemployed (+4.1 pp in ordinary
    jobs [1.0, 7.2], +9 people); for the 84 people reached: +9.0 pp in ordinary jobs [3.1, 15.0];
    held back by coordinator hours (95% at the horizon)."

    Args:
        summary: The comparison's summary table (``diff_pi_*`` columns used where present).
        groups: groups.csv as a frame, or None (the clause is left out).
        reached: reached.csv as a frame, or None (the clause is left out).
        scenario: The design.
        constraint: The binding-constraint sentence; None to read the summary's bottleneck row.

    Returns:
        The sentence, ending with a full stop.
    """
    gains = {g.indicator: g for g in people_gains(summary, scenario)}
    people = [gain_clause(gains[k]) for k in SENTENCE if k in gains and finite(gains[k].mean)]
    clauses = [", ".join(people)] if people else []
    for clause in (
        top_group(groups, scenario),
        reached_clause(reached, scenario),
        constraint_clause(summary, scenario, constraint),
    ):
        if clause:
            clauses.append(clause)
    body = "; ".join(clauses) if clauses else "no results against the baseline"
    return f"{display_name(scenario)}: {body}."


def has_parameter_intervals(summary: pd.DataFrame) -> bool:
    """Whether the summary carries intervals with parameter uncertainty (``diff_pi_*``)."""
    return all(c in summary for c in ("diff_pi_low", "diff_pi_high")) and bool(
        summary["diff_pi_low"].notna().any()
    )


def intervals_note(summary: pd.DataFrame) -> str:
    """One plain sentence saying what the intervals of this comparison cover."""
    return INTERVALS_NOTE if has_parameter_intervals(summary) else NOISE_ONLY_NOTE

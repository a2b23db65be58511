"""
The decision procedure for one flow, as a catalogue of rules with stable ids.

Each module holds the rules of one legal mechanism: `scope` (is there a transfer at
all), `adequacy` (Art. 45), `safeguards` (Art. 46/47) and `derogations` (Art. 49).
A rule has a stable id, a title, the articles it applies and a short statement of its
logic; these are documented in ``docs/rules.md``. The procedure (`evaluate`) calls the
modules in the order of GDPR Chapter V, and every rule that fires adds a `Reason` to
the flow's `Trace`. No rule holds a country code: every fact comes from
`transfer_assess.refdata.ReferenceData`.
"""

from __future__ import annotations

import attrs

# NOTE: plain module imports; mypy cannot follow "from package import module"
# inside the package's own __init__ while the modules import each other.
import transfer_assess.rules.adequacy as adequacy  # noqa: PLR0402
import transfer_assess.rules.ch as ch  # noqa: PLR0402
import transfer_assess.rules.derogations as derogations  # noqa: PLR0402
import transfer_assess.rules.national as national  # noqa: PLR0402
import transfer_assess.rules.safeguards as safeguards  # noqa: PLR0402
import transfer_assess.rules.scope as scope  # noqa: PLR0402
import transfer_assess.rules.tia as tia_rules
import transfer_assess.rules.uk as uk  # noqa: PLR0402
from transfer_assess.findings import Status
from transfer_assess.model import Mechanism
from transfer_assess.rules.base import (
    Context,
    Hint,
    Outcome,
    Rule,
    Settings,
    Trace,
    scc_module_for,
)

_NOT_A_FALLBACK = frozenset({Mechanism.ADEQUACY, Mechanism.DPF, Mechanism.NONE})

#: Every EU rule, in the order the procedure applies them.
RULES: tuple[Rule, ...] = (
    *scope.RULES,
    *adequacy.RULES,
    *safeguards.RULES,
    *derogations.RULES,
)
#: Every rule of every regime: the EU's, then the UK's and Switzerland's.
ALL_RULES: tuple[Rule, ...] = (*RULES, *uk.RULES, *ch.RULES)


def rule(rule_id: str) -> Rule:
    """
    The rule with this id.

    Raises:
        KeyError: No rule has that id.
    """
    for candidate in ALL_RULES:
        if candidate.id == rule_id:
            return candidate
    raise KeyError(rule_id)


def evaluate(context: Context, trace: Trace) -> Outcome:
    """
    Run the Chapter V procedure on one flow.

    Scope first (anonymised, inside the EEA, no protected data, transfer), then an
    adequacy decision covering the importer, then the mechanism the map declares
    (Art. 46/47 tools or an Art. 49 derogation).

    Args:
        context: The flow and what the rules may look at.
        trace: Receives the reasons and the actions the rules ask for.
    """
    outcome = scope.evaluate(context, trace)
    if not outcome.transfer:
        return outcome
    decided = adequacy.evaluate(context, trace, onward=outcome.onward)
    if decided is not None:
        if decided.status is Status.OK:
            _fallback_assessment(context, trace)
            return decided
        return _fallback(context, trace, decided)
    return _mechanism(context, trace, onward=outcome.onward)


def _mechanism(context: Context, trace: Trace, *, onward: bool) -> Outcome:
    if context.flow.mechanism.is_derogation:
        return derogations.evaluate(context, trace, onward=onward)
    return safeguards.evaluate(context, trace, onward=onward)


def _fallback_assessment(context: Context, trace: Trace) -> None:
    """
    Conclude the TIA of a declared fallback tool, for information only.

    An adequacy decision carries the flow, so the conclusion about the Art. 46 tool
    kept beside it changes neither the status nor the actions; it is recorded so
    that the fallback is ready if the decision falls.
    """
    flow = context.flow
    mechanism = flow.mechanism
    record = flow.tia_record
    if (
        mechanism in _NOT_A_FALLBACK
        or mechanism.is_derogation
        or record is None
        or record.answers is None
        or record.date > context.day
        or not context.exists(safeguards.SCHREMS_II)
    ):
        return
    scratch = Trace()
    tia_rules.judge(
        context,
        scratch,
        tia_rules.EU_RULES,
        what=f"transfer impact assessment of the {mechanism.value} kept as a fallback",
    )
    trace.tia = scratch.tia
    trace.reasons.extend(
        attrs.evolve(
            reason,
            text=f"{reason.text} The adequacy decision carries the flow, so this "
            "conclusion does not change its status.",
        )
        for reason in scratch.reasons
    )


def _fallback(context: Context, trace: Trace, decided: Outcome) -> Outcome:
    """Let a declared Art. 46/47 tool that fits settle an adequacy needing attention."""
    mechanism = context.flow.mechanism
    if mechanism in _NOT_A_FALLBACK or mechanism.is_derogation:
        return decided
    declared = Trace()
    outcome = _mechanism(context, declared, onward=decided.onward)
    if outcome.status is not Status.OK:
        return decided
    trace.reasons.extend(declared.reasons)
    trace.tia = declared.tia
    trace.add(
        adequacy.FALLBACK,
        f"The adequacy question above needs attention, but the declared "
        f"{mechanism.value} fits flow {context.flow.id} with nothing to do, so it "
        "carries the flow.",
    )
    trace.hints.clear()
    return outcome


def rules_markdown() -> str:
    """
    The rule catalogue as Markdown: ``docs/rules.md`` is this text.

    Regenerate the page with ``python -m transfer_assess.rules > docs/rules.md``.
    """
    lines = [
        "# Rules",
        "",
        "Every reason in a finding names the rule that fired.",
        (
            "This page is generated from the rules' metadata "
            "(`python -m transfer_assess.rules > docs/rules.md`);"
        ),
        "a test checks that it matches the code.",
        (
            "The rules apply GDPR Chapter V in the order of the design's decision "
            "procedure:"
        ),
        (
            "scope first, then adequacy (Art. 45), then the declared mechanism "
            "(Art. 46/47 tools, Art. 49 derogations)."
        ),
        "",
        (
            "Rules whose id starts with `UK.` apply the UK GDPR to UK-origin data "
            "(from 2021-01-01), those starting with `CH.` the Swiss FADP to "
            "Swiss-origin data; they follow the same order (`docs/regimes.md`)."
        ),
        "",
        (
            "Where a legal review of the example's verdicts found the design's "
            "procedure too crude, the rules below follow the review and say so; "
            "[Concepts](concepts.md#where-the-rules-go-beyond-the-design) lists "
            "those points. Instruments are cited only from the day they were "
            "adopted (reference data)."
        ),
        "",
        (
            "The thresholds of 180 days (an adequacy decision about to lapse) and "
            "365 days (a transfer impact assessment to renew) are policy, not law: "
            "they are settings (`transfer_assess.rules.Settings`) with these "
            "defaults."
        ),
        "",
    ]
    for item in ALL_RULES:
        lines += [
            f"## {item.id}",
            "",
            f"**{item.title}.**",
            "",
            item.logic,
            "",
            f"*Articles:* {'; '.join(item.articles)}.",
            "",
            f"*Example:* {item.example}",
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


__all__ = [
    "ALL_RULES",
    "RULES",
    "Context",
    "Hint",
    "Outcome",
    "Rule",
    "Settings",
    "Trace",
    "evaluate",
    "national",
    "rule",
    "rules_markdown",
    "scc_module_for",
]

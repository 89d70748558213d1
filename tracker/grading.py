"""The confidence rule, written once: the grade a case's sources support.

The methodology page (/methodology/) states this rule and shows its worked examples, which
are computed here (`WORKED_EXAMPLES`), so the page cannot drift from the code. The seeds
loader, the publishing and edit services and the tests all grade through `grade()`.

1. A source that itself says it could not confirm the account (or that it may be fake)
   supports nothing. With no other source the case is **unconfirmed**.
2. A claim made only by officials of a party to the war (Russia's or Ukraine's military or
   government), however often it is relayed, leaves the case **unconfirmed**.
3. A source counts towards confirmation when it does not merely relay another source and
   its account does not come from an unnamed person or from a party to the war. Such
   sources are **independent** of each other when they come from different outlets.
4. **Confirmed**: one such source that rests on a court or military document, or two or
   more independent such sources.
5. Otherwise **reported**: at least one source vouches for the account, but the rule for
   confirmation is not met (one outlet; hearsay — an unnamed source, or a relayed one).

A moderator may lower the grade with a public reason, never raise it (`settle`).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models.facts import Confidence
from .models.related import AccountFrom

RANK = {Confidence.UNCONFIRMED: 0, Confidence.REPORTED: 1, Confidence.CONFIRMED: 2}
# Accounts that never count towards confirmation: hearsay and one side of the war.
NOT_CONFIRMING = {AccountFrom.UNNAMED, AccountFrom.PARTY_OFFICIAL}


@dataclass(frozen=True)
class Account:
    """What the rule reads of one source."""

    outlet: str
    account_from: str = AccountFrom.UNKNOWN
    relays: bool = False
    says_unconfirmed: bool = False

    @classmethod
    def of(cls, source):
        """A case's Source, or a report's verified SubmissionSource (whose `independent`
        answer says whether it relays another source)."""
        relays = getattr(source, "relays", None)
        if relays is None:
            relays = source.independent is False
        return cls(
            outlet=source.outlet or getattr(source, "url", ""),
            account_from=source.account_from,
            relays=bool(relays),
            says_unconfirmed=source.says_unconfirmed,
        )

    @property
    def confirms(self):
        return not self.relays and self.account_from not in NOT_CONFIRMING


@dataclass(frozen=True)
class Grade:
    confidence: str
    reason: str

    @property
    def label(self):
        return Confidence(self.confidence).label


def _outlet_key(outlet):
    return " ".join(outlet.casefold().split())


def grade(sources):
    """The Grade that `sources` (Accounts, or objects Account.of() reads) support."""
    accounts = [s if isinstance(s, Account) else Account.of(s) for s in sources]
    vouching = [a for a in accounts if not a.says_unconfirmed]
    if not vouching:
        if accounts:
            reason = _("the sources say they could not confirm it")
        else:
            reason = _("no source vouches for it")
        return Grade(Confidence.UNCONFIRMED, str(reason))
    if all(a.account_from == AccountFrom.PARTY_OFFICIAL for a in vouching):
        return Grade(
            Confidence.UNCONFIRMED, str(_("only officials of a party to the war claim it"))
        )
    confirming = [a for a in vouching if a.confirms]
    documents = [a for a in confirming if a.account_from == AccountFrom.DOCUMENT]
    if documents:
        return Grade(
            Confidence.CONFIRMED,
            str(_("a court or military document, reported by %(outlet)s"))
            % {"outlet": str(documents[0].outlet)},
        )
    outlets = sorted({_outlet_key(str(a.outlet)): str(a.outlet) for a in confirming}.values())
    if len(outlets) >= 2:
        return Grade(
            Confidence.CONFIRMED,
            str(_("%(count)d independent sources: %(outlets)s"))
            % {"count": len(outlets), "outlets": ", ".join(outlets)},
        )
    if outlets:
        return Grade(Confidence.REPORTED, str(_("one source: %(outlet)s")) % {"outlet": outlets[0]})
    return Grade(
        Confidence.REPORTED,
        ngettext(
            "%(count)d source, hearsay only (an unnamed or relayed account)",
            "%(count)d sources, hearsay only (unnamed or relayed accounts)",
            len(vouching),
        )
        % {"count": len(vouching)},
    )


def settle(chosen, computed, note):
    """The grade a case keeps: the computed one, or a lower one the moderator chose and
    explained in `note`. Never higher than the sources support."""
    if not (note or "").strip() or not chosen:
        return computed
    return chosen if RANK[chosen] < RANK[computed] else computed


def _example(description, *accounts):
    return description, accounts


# The methodology page's worked examples, graded by the rule itself when shown.
WORKED_EXAMPLES = [
    _example(
        _("A news site reports a soldier's refusal in his own words; no one else reports it."),
        Account(_("outlet A"), AccountFrom.SERVICEMAN),
    ),
    _example(
        _("Two outlets each interview a different relative of the same soldier."),
        Account(_("outlet A"), AccountFrom.RELATIVE),
        Account(_("outlet B"), AccountFrom.RELATIVE),
    ),
    _example(
        _("One outlet has seen the court ruling that rejected the soldiers' claim."),
        Account(_("outlet A"), AccountFrom.DOCUMENT),
    ),
    _example(
        _("A second outlet repeats the first outlet's story without checking it."),
        Account(_("outlet A"), AccountFrom.LAWYER),
        Account(_("outlet B"), AccountFrom.LAWYER, relays=True),
    ),
    _example(
        _("A newspaper cites unnamed sources; a rights group repeats the report."),
        Account(_("outlet A"), AccountFrom.UNNAMED),
        Account(_("a rights group"), AccountFrom.UNNAMED, relays=True),
    ),
    _example(
        _("Ukraine's military intelligence claims it; an outlet relays the claim."),
        Account(_("military intelligence"), AccountFrom.PARTY_OFFICIAL),
        Account(_("outlet A"), AccountFrom.PARTY_OFFICIAL, relays=True),
    ),
    _example(
        _("An analyst group describes a photographed document and warns it may be fake."),
        Account(_("an analyst group"), AccountFrom.DOCUMENT, says_unconfirmed=True),
    ),
]


def worked_examples():
    """(description, grade) pairs for the methodology page, in the reader's language."""
    return [(str(description), grade(accounts)) for description, accounts in WORKED_EXAMPLES]

"""Cards of `search`: the words to look for, and the earlier ideas and initiatives found, as
colleagues may see them (reference, title, status, outcome; never who suggested an idea)."""

from __future__ import annotations

from microsoft_teams.cards.core import CardElement, Container, Fact, FactSet, TextInput

from bot.domain.search import SEARCH_LIMIT
from bot.domain.similar import Match, MatchKind
from cards.actions import CardAction
from cards.base import (
    CardMessage,
    as_markdown_text,
    card_message,
    heading,
    paragraph,
    plain,
    problem,
    subheading,
    submit,
)

SEARCH_HEADING = "Search earlier ideas"
SEARCH_INPUT = "text"
_WHAT_YOU_SEE = ("You see earlier ideas like your words, and the change work the force already "
                 "has under way, with where each has got to and what became of it; never who "
                 "suggested an idea.")


def search_card(error: str | None = None, typed: str | None = None) -> CardMessage:
    """The words to search for; `error` says why the last ones were not enough (kept in the
    box, `typed`, to add to)."""
    body: list[CardElement] = [heading(SEARCH_HEADING), paragraph(_WHAT_YOU_SEE)]
    if error:
        body.append(problem(error))
    body += [
        TextInput(id=SEARCH_INPUT, label="What is the problem or the idea? A few words",
                  placeholder="custody handover delays", max_length=SEARCH_LIMIT,
                  is_required=True, value=typed[:SEARCH_LIMIT] if typed else None,
                  error_message="Please write a few words to search for."),
        paragraph("You can also type **search** and your words.", subtle=True),
    ]
    return card_message(body, summary=SEARCH_HEADING,
                        fallback_text="Type search and a few words about the problem or the "
                                      "idea to look through earlier ideas.",
                        actions=[submit("Search", CardAction.SEARCH)])


def results_card(text: str, matches: list[Match], *, reference: str | None = None) -> CardMessage:
    """What a search found, best first; none found says so and offers a new idea."""
    asked = reference or text
    body: list[CardElement] = [heading("Earlier ideas")]
    body.append(plain(f"You searched for: {asked[:SEARCH_LIMIT]}", italic=True))
    if not matches:
        words = (f"There is no idea {reference} that colleagues can see: it may not exist, "
                 "or it may be private." if reference else
                 "Nothing like that yet. If you have an idea about it, it could be the "
                 "first.")
        body.append(paragraph(words))
    else:
        found = "1 found" if len(matches) == 1 else f"{len(matches)} found, the closest first"
        body.append(paragraph(f"{found}. Who suggested an idea is never shown.", subtle=True))
        body += [_match(match) for match in matches]
    return card_message(
        body, summary=f"Earlier ideas: {len(matches)} found",
        fallback_text=f"{len(matches)} earlier idea(s) found. Type search and a few words to "
                      "search again.",
        actions=[submit("Search again", CardAction.ASK_SEARCH, inputs=False),
                 submit("New idea", CardAction.NEW_IDEA, inputs=False)])


def _match(match: Match) -> Container:
    """One result: its reference and title (as written, never read as Markdown), status and
    outcome, and how many colleagues support it."""
    kind = "Known initiative" if match.kind is MatchKind.INITIATIVE else "Idea"
    facts = [Fact(title="Status", value=as_markdown_text(match.status))]
    if match.supporters:
        facts.append(Fact(title="Supporters", value=f"{match.supporters:,}"))
    items: list[CardElement] = [subheading(f"{match.reference} · {kind}"), plain(match.title),
                                FactSet(facts=facts)]
    if match.outcome:  # staff's words (what changed, say): shown as written
        items += [paragraph("Outcome:", subtle=True), plain(match.outcome)]
    return Container(separator=True, spacing="Medium", items=items)

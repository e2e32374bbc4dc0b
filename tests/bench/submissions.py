"""People submitting ideas through the IIP bot's whole intake conversation (turns.py's
`--load submission`).

A person types "new idea", answers the title, the problem, the proposal, the benefit, the
category and the portfolio, the questions about them (the first time only) and whether they may
be named; reads the check card, sometimes edits a part from it, and submits, confirming when the
bot warns about a detail they left in. Then the same person starts their next idea. Each answer
is typed or given on the card as a seeded random choice decides, so that a person's script is
the same on every bot measured. Typed answers are personal-chat messages; card answers are what
Teams sends for an Action.Submit: a message with no text, `value` = the button's data merged
with the card's inputs, and a replyToId (the intake has no Action.Execute buttons).

Every turn is timed from its HTTP POST to the response. The bot replies through the stand-in
connector during the turn, which forwards every request to this process at once; each turn's
replies are checked: the expected card in the person's own conversation, at the expected step
("step 3 of 8"), the check card showing what the person wrote, the receipt its reference.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from support.cards import walk
from support.chat import Reply
from support.connector import Received

from bot.domain.organisation import Organisation
from bot.domain.profile import FUNCTIONS, GRADES, ROLE_TYPES
from cards.actions import CardAction

# The kinds of turn, in the order a person meets them: the rows of the report.
KINDS = ("start (first contact)", "start", "title", "problem", "proposal", "benefit",
         "category", "portfolio", "profile", "recognition", "edit", "edited answer", "submit",
         "confirm")
QUESTIONS = ("title", "problem", "proposal", "benefit", "category", "portfolio")
STARTS = ("new idea", "I have an idea", "suggest")
TYPED_SHARE = 0.5  # answers typed rather than given on the card
EDIT_SHARE = 0.2  # ideas with one part edited from the check card
SENSITIVE_SHARE = 0.1  # ideas whose benefit names someone's e-mail address: the bot warns
SIMILAR = "similar ideas"  # a card of ideas like the one being written, which may come first
SIMILAR_SUMMARY = "Ideas like yours already exist"
ANY = "any reply"  # in a turn's expected replies: any reply but a refusal (a query's answer)
REPLY_WAIT = 10.0  # seconds for a turn's replies to reach this process after its response
RECEIPT = re.compile(r"Your idea (IIP-\d{4}-\d{4,}) is in")
STEP_LINE = re.compile(r"New idea · step (\d+) of (\d+)")

TITLES = ("Digital pocket notebooks", "One form for lost property", "Shared custody rota",
          "Body-worn video uploads from the car", "Self-service shift swaps",
          "Plain-English letters to victims", "Pool cars booked online",
          "Training records in one place")
PROBLEMS = ("Paper notebooks are slow to search and easy to lose.",
            "The same details are typed into three systems, one after another.",
            "Officers wait at the station for a free terminal at the end of a shift.",
            "Nobody can see who is free to cover until someone phones round.",
            "Victims tell us our letters are hard to understand.",
            "Requests go by e-mail and are lost when someone is on leave.")
PROPOSALS = ("Use the tablets officers already carry, with the form filled in once.",
             "Put the rota on the intranet, where people can offer and take shifts.",
             "Upload the footage over the car's own connection on the way back.",
             "Rewrite the standard letters with the victims' panel and test them.",
             "A shared mailbox and a simple tracker, owned by the team rather than a person.")
BENEFITS = ("About two hours a week for each officer.",
            "Fewer complaints, and fewer calls asking what a letter means.",
            "Cover found in minutes instead of an afternoon of phone calls.",
            "Less overtime at the end of late shifts.",
            "Nothing lost when someone is away.")
SENSITIVE_DETAIL = " Ask pc.jones@example.police.uk for the figures."
PLACES = ("Leeds Central", "Wakefield", "Bradford South", "Force headquarters", "")


class Broken(Exception):
    """A turn went wrong: this person's conversation cannot go on."""


class Shapes(Protocol):
    """Teams personal-chat activities for a person (turns.Activities)."""

    def conversation_id(self, person: int) -> str: ...

    def message(self, activity_id: str, person: int, text: str) -> dict[str, Any]: ...

    def card_submit(self, activity_id: str, person: int, value: dict[str, Any],
                    reply_to: str) -> dict[str, Any]: ...


@dataclass
class Person:
    """Someone in their 1:1 chat with the bot, and how many ideas they have submitted."""

    number: int
    ideas: int = 0
    broken: bool = False  # a turn went wrong mid-way: their draft is in an unknown state

    def script(self) -> random.Random:
        """The random choices of this person's next idea, the same on every bot measured."""
        return random.Random(f"iip-bench-{self.number}-{self.ideas}")


@dataclass
class Idea:
    """What a person means to submit; the check card and the receipt must show it."""

    title: str
    problem: str
    proposal: str
    benefit: str
    category: tuple[str, str]  # (key, name)
    portfolio: tuple[str, str]
    named: bool

    @property
    def sensitive(self) -> bool:
        return SENSITIVE_DETAIL in self.benefit


@dataclass
class Phase:
    """What one burst of submissions measured, turn by turn."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[str] = field(default_factory=Counter)
    answers: Counter[str] = field(default_factory=Counter)  # "typed" or "card"
    right: int = 0  # turns whose replies were all as expected
    similar_shown: int = 0  # cards of similar ideas shown before a turn's expected replies
    references: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def turns(self) -> int:
        return sum(len(times) for times in self.times.values())

    def add(self, other: Phase) -> None:
        for kind, times in other.times.items():
            self.times[kind] += times
        self.statuses += other.statuses
        self.answers += other.answers
        self.right += other.right
        self.similar_shown += other.similar_shown
        self.references += other.references
        self.problems += other.problems
        self.elapsed += other.elapsed


# ---------------------------------------------------------------------------------------------
# The replies, as the stand-in connector forwards them.
# ---------------------------------------------------------------------------------------------

class ReplyLog:
    """Every request the stand-in connector forwards: the bot's replies, by the activity they
    answer, and the rest (the outbox worker's sends) counted by method and status. Any other
    line is the stand-in's answer to a command (`ask`)."""

    def __init__(self, connector: Any) -> None:  # a harness.Child
        self.connector = connector
        self.replies: dict[str, list[Reply]] = defaultdict(list)
        self.expected: dict[str, int] = {}
        self.sends: Counter[str] = Counter()
        self.arrived = asyncio.Condition()
        self.synced: asyncio.Future[int] | None = None
        self.answers: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> ReplyLog:
        self.reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self.reader is not None:
            self.reader.cancel()

    async def _read(self) -> None:
        while True:
            line = await self.connector.read(None)
            if "synced" in line:
                if self.synced is not None and not self.synced.done():
                    self.synced.set_result(line["synced"])
                continue
            if "method" not in line:
                self.answers.put_nowait(line)
                continue
            received = Received(method=line["method"], path=line["path"],
                                conversation_id=line["conversation"], body=line["body"],
                                headers={}, status=line["status"])
            parts = received.path.strip("/").split("/")
            async with self.arrived:
                if received.method == "POST" and len(parts) == 5:
                    self.replies[parts[4]].append(Reply(received))
                else:
                    self.sends[f"{received.method} {received.status}"] += 1
                self.arrived.notify_all()

    async def ask(self, command: str, within: float = 60.0) -> dict[str, Any]:
        """The stand-in's answer to `command` (such as "stats")."""
        await self.connector.tell(command)
        return await asyncio.wait_for(self.answers.get(), within)

    def expect(self, activity_id: str, count: int) -> None:
        self.expected[activity_id] = count

    async def wait(self, activity_id: str, count: int) -> list[Reply]:
        """The replies to `activity_id`, once there are `count` of them."""
        async with self.arrived:
            await asyncio.wait_for(self.arrived.wait_for(
                lambda: len(self.replies.get(activity_id, ())) >= count), REPLY_WAIT)
        return list(self.replies[activity_id])

    async def settle(self) -> list[str]:
        """After a phase, once everything the connector has received is here: the replies
        that no turn expected (extra ones, or to activities not sent); then forget them."""
        if self.reader is None or self.reader.done():
            raise RuntimeError(f"the stand-in connector stopped forwarding; see "
                               f"{self.connector.log_path}")
        self.synced = asyncio.get_running_loop().create_future()
        await self.connector.tell("sync")
        await asyncio.wait_for(self.synced, 60)
        wrong = Counter(
            f"{len(got)} replies to a turn that expected {self.expected.get(activity_id, 0)}"
            for activity_id, got in self.replies.items()
            if len(got) != self.expected.get(activity_id, 0))
        self.replies.clear()
        self.expected.clear()
        return [f"{n} x {what}" for what, n in wrong.most_common(5)]


def kind_of(reply: Reply, welcome: dict[str, Any]) -> str:
    """What a reply is: "welcome", "ask:<step> <n>/<of>", "check", "warning", "receipt", or
    "refused: ..." (a card pointing out a problem), or "other: ..."."""
    cards = reply.received.cards
    summary = reply.received.summary or ""
    if len(cards) != 1 or reply.received.status != 200:
        return f"other: {len(cards)} card(s), status {reply.received.status}, {summary[:60]}"
    if cards[0] == welcome:
        return "welcome"
    attention = [node.get("text", "") for node in walk(cards[0])
                 if node.get("color") == "Attention"]
    if attention:
        return f"refused: {attention[0][:100]}"
    actions = {button.get("data", {}).get("action") for button in reply.buttons.values()}
    if CardAction.ANSWER in actions or CardAction.SAVE_PROFILE in actions:
        step = ("profile" if CardAction.SAVE_PROFILE in actions
                else reply.data("Next").get("step"))
        found = STEP_LINE.search(reply.text)
        return f"ask:{step} {found[1]}/{found[2]}" if found else f"ask:{step} (no step line)"
    if summary == SIMILAR_SUMMARY:
        return SIMILAR
    if "Submit idea" in reply.buttons:
        return "check"
    if "They are needed: submit" in reply.buttons:
        return "warning"
    if RECEIPT.search(summary):
        return "receipt"
    return f"other: {summary[:60]}"


# ---------------------------------------------------------------------------------------------
# Turns: sent, timed and checked.
# ---------------------------------------------------------------------------------------------

class Chat:
    """Sends people's turns to one bot, times each and checks its replies."""

    def __init__(self, session: Any, url: str | Callable[[], str], shapes: Shapes,
                 replies: ReplyLog, tag: str, phase: Phase, welcome: dict[str, Any],
                 think: float = 0.0) -> None:
        self.session = session
        self.url = url  # or where each turn goes, asked turn by turn (replicas in turn)
        self.shapes = shapes
        self.replies = replies
        self.tag = tag
        self.phase = phase
        self.welcome = welcome
        self.think = think
        self.pauses = random.Random(tag)
        self.serial = itertools.count(1)
        self.answered = "200"  # the HTTP status every turn must be answered with

    async def say(self, person: Person, kind: str, text: str, expect: list[str]) -> Reply:
        """`person` types `text`; the last of the replies, which must be `expect`."""
        activity = self.shapes.message(self._next_id(person), person.number, text)
        return await self._send(person, kind, "typed", activity, expect)

    async def press(self, person: Person, kind: str, card: Reply, button: str,
                    expect: list[str], **inputs: Any) -> Reply:
        """`person` presses `button` on `card`, its inputs holding what the card shows unless
        `inputs` says otherwise, as Teams merges them into the button's data."""
        action = card.buttons.get(button)
        if action is None:
            raise Broken(f"{kind}: no {button!r} button on the card ({list(card.buttons)})")
        value: dict[str, Any] = {}
        if action.get("associatedInputs") != "none":
            value = {key: "" if shown is None else shown for key, shown in card.inputs.items()}
            value.update(inputs)
        value.update(action.get("data") or {})
        card_id = card.received.path.rsplit("/", 1)[-1]
        activity = self.shapes.card_submit(self._next_id(person), person.number, value,
                                           reply_to=f"card-of-{card_id}")
        return await self._send(person, kind, "card", activity, expect)

    def _next_id(self, person: Person) -> str:
        return f"bench-{self.tag}-{person.number:05d}-{next(self.serial):06d}"

    async def _send(self, person: Person, kind: str, how: str, activity: dict[str, Any],
                    expect: list[str]) -> Reply:
        if self.think:
            await asyncio.sleep(self.pauses.expovariate(1 / self.think))
        activity_id = activity["id"]
        self.replies.expect(activity_id, len(expect))
        body = json.dumps(activity).encode()
        begun = time.perf_counter()
        try:
            url = self.url if isinstance(self.url, str) else self.url()
            async with self.session.post(url, data=body, headers={
                    "Content-Type": "application/json"}) as response:
                await response.read()
                status = str(response.status)
        except Exception as error:  # a refused or broken request is counted, not raised
            status = type(error).__name__
        self.phase.times[kind].append(time.perf_counter() - begun)
        self.phase.statuses[status] += 1
        if kind not in ("start", "start (first contact)"):
            self.phase.answers[how] += 1
        if status != self.answered:
            raise Broken(f"{kind}: answered {status}")
        try:
            replies = await self._replies(activity_id, len(expect))
        except TimeoutError:
            arrived = [kind_of(r, self.welcome) for r in self.replies.replies[activity_id]]
            raise Broken(f"{kind}: {len(expect)} replies expected; not all reached the "
                         f"connector within {REPLY_WAIT:g} s (these did: {arrived})") from None
        got = [kind_of(reply, self.welcome) for reply in replies]
        self.phase.similar_shown += got.count(SIMILAR)
        got = [shown for shown in got if shown != SIMILAR]
        conversation = self.shapes.conversation_id(person.number)
        if not matches(got, expect):
            raise Broken(f"{kind} ({how}): expected {expect}, got {got}")
        if any(reply.received.conversation_id != conversation for reply in replies):
            raise Broken(f"{kind}: a reply went to another conversation")
        self.phase.right += 1
        return replies[-1]


    async def _replies(self, activity_id: str, expected: int) -> list[Reply]:
        """The turn's `expected` replies, and before them any card of similar ideas: the bot
        shows one when its search finds some in time, which depends on the moment."""
        awaited = expected
        while True:
            replies = await self.replies.wait(activity_id, awaited)
            similar = sum(kind_of(reply, self.welcome) == SIMILAR for reply in replies)
            if len(replies) >= expected + similar:
                self.replies.expect(activity_id, len(replies))
                return replies
            awaited = expected + similar


def matches(got: list[str], expect: list[str]) -> bool:
    """The replies' kinds are those expected, in order; ANY stands for any reply that is not
    a refusal."""
    return len(got) == len(expect) and all(
        kind == wanted or (wanted == ANY and not kind.startswith("refused"))
        for kind, wanted in zip(got, expect, strict=True))


# ---------------------------------------------------------------------------------------------
# A whole submission, as a person goes through it.
# ---------------------------------------------------------------------------------------------

def new_idea(person: Person, rng: random.Random, organisation: Organisation) -> Idea:
    benefit = rng.choice(BENEFITS)
    if rng.random() < SENSITIVE_SHARE:
        benefit += SENSITIVE_DETAIL
    category = rng.choice(organisation.categories)
    portfolio = rng.choice(organisation.portfolios)
    return Idea(
        title=f"{rng.choice(TITLES)}, idea {person.ideas + 1} of officer {person.number}",
        problem=" ".join(rng.sample(PROBLEMS, 2)),
        proposal=" ".join(rng.sample(PROPOSALS, 2)),
        benefit=benefit,
        category=(category.key, category.name),
        portfolio=(portfolio.key, portfolio.name),
        named=rng.random() < 0.6,
    )


def typed_choice(rng: random.Random, chosen: tuple[str, str],
                 options: list[tuple[str, str]]) -> str:
    """How a person types a choice: its name, its number in the list, or its key."""
    key, name = chosen
    return rng.choice((name, str(options.index(chosen) + 1), key))


async def submit_idea(chat: Chat, person: Person, organisation: Organisation, *,
                      campaigns_open: bool = False) -> str:
    """One whole submission by `person`, from "new idea" to the receipt: its reference.
    While `campaigns_open`, the bot asks which campaign it answers: none."""
    rng = person.script()
    first = person.ideas == 0
    idea = new_idea(person, rng, organisation)
    plan = [*QUESTIONS, *(["campaign"] if campaigns_open else []),
            *(["profile"] if first else []), "recognition"]

    def ask(step: str) -> str:
        return f"ask:{step} {plan.index(step) + 1}/{len(plan)}"

    card = await chat.say(person, "start (first contact)" if first else "start",
                          rng.choice(STARTS), ["welcome", ask("title")] if first
                          else [ask("title")])
    categories = [(c.key, c.name) for c in organisation.categories]
    portfolios = [(p.key, p.name) for p in organisation.portfolios]
    answers = {  # step: (as typed, as chosen on the card)
        "title": (idea.title, idea.title), "problem": (idea.problem, idea.problem),
        "proposal": (idea.proposal, idea.proposal), "benefit": (idea.benefit, idea.benefit),
        "category": (typed_choice(rng, idea.category, categories), idea.category[0]),
        "portfolio": (typed_choice(rng, idea.portfolio, portfolios), idea.portfolio[0]),
        "campaign": ("none", ""),
        "recognition": (rng.choice(("yes", "yes please", "ok")) if idea.named
                        else rng.choice(("no", "no thanks", "rather not")),
                        "yes" if idea.named else "no"),
    }
    for step, following in itertools.zip_longest(plan, plan[1:]):
        expect = [ask(following) if following else "check"]
        if step == "profile":
            card = await answer_profile(chat, person, card, rng, organisation, expect)
        else:
            card = await answer(chat, person, step, card, *answers[step], expect, rng)
    shows(card, idea)
    if rng.random() < EDIT_SHARE:
        card = await edit_from_check(chat, person, card, idea, rng, ask)
    reference = await submit_from_check(chat, person, card, idea, rng)
    person.ideas += 1
    return reference


async def answer(chat: Chat, person: Person, step: str, card: Reply, typed: str,
                 chosen: str, expect: list[str], rng: random.Random) -> Reply:
    """Answer the question on `card`: typed, or on the card and its Next button."""
    if rng.random() < TYPED_SHARE:
        return await chat.say(person, step, typed, expect)
    return await chat.press(person, step, card, "Next", expect, answer=chosen)


async def answer_profile(chat: Chat, person: Person, card: Reply, rng: random.Random,
                         organisation: Organisation, expect: list[str]) -> Reply:
    """The questions about the person: answered on the card, skipped there, or typed "skip"."""
    roll = rng.random()
    if roll < 0.4:
        return await chat.press(
            person, "profile", card, "Save", expect,
            department=rng.choice(organisation.portfolios).key,
            function=rng.choice(FUNCTIONS)[0], location=rng.choice(PLACES),
            grade=rng.choice(GRADES)[0], role_type=rng.choice(ROLE_TYPES)[0])
    if roll < 0.7:
        return await chat.press(person, "profile", card, "Skip: prefer not to say", expect)
    return await chat.say(person, "profile", "skip", expect)


async def edit_from_check(chat: Chat, person: Person, card: Reply, idea: Idea,
                          rng: random.Random, ask: Callable[[str], str]) -> Reply:
    """Change one written part from the check card; answering it returns to the check."""
    part = rng.choice(("title", "problem", "proposal"))
    question = await chat.press(person, "edit", card, f"Edit {part}", [ask(part)])
    if question.inputs.get("answer") != getattr(idea, part):
        raise Broken(f"edit: the {part} question does not show the {part} as written")
    changed = f"{getattr(idea, part)} (reworded)"
    setattr(idea, part, changed)
    check = await answer(chat, person, "edited answer", question, changed, changed, ["check"],
                         rng)
    shows(check, idea)
    return check


async def submit_from_check(chat: Chat, person: Person, card: Reply, idea: Idea,
                            rng: random.Random) -> str:
    """Submit (the card's button mostly, sometimes typed), confirming after a warning."""
    expect = ["warning" if idea.sensitive else "receipt"]
    if rng.random() < 0.8:
        reply = await chat.press(person, "submit", card, "Submit idea", expect)
    else:
        reply = await chat.say(person, "submit", "submit", expect)
    if idea.sensitive:
        reply = await chat.press(person, "confirm", reply, "They are needed: submit",
                                 ["receipt"])
    found = RECEIPT.search(reply.received.summary or "")
    if found is None or idea.title not in reply.text:
        raise Broken("submit: the receipt does not show the idea's reference and title")
    return found[1]


def shows(check: Reply, idea: Idea) -> None:
    """The check card shows the idea as the person gave it."""
    wanted = [idea.title, idea.problem, idea.proposal, idea.benefit,
              f"Category: {idea.category[1]}", f"Portfolio: {idea.portfolio[1]}",
              f"Name me if delivered: {'Yes' if idea.named else 'No'}"]
    missing = [text[:40] for text in wanted if text not in check.text]
    if missing:
        raise Broken(f"check: the card does not show {missing}")


# ---------------------------------------------------------------------------------------------
# People at once.
# ---------------------------------------------------------------------------------------------

class Crowd:
    """The people of one bot: `seats` at once, each submitting `ideas_each` ideas one after
    another before a new person takes the seat. It lasts across phases."""

    def __init__(self, seats: int, ideas_each: int) -> None:
        self.seated = [Person(number) for number in range(seats)]
        self.newcomers = itertools.count(seats)
        self.ideas_each = ideas_each

    def person_at(self, seat: int) -> Person:
        person = self.seated[seat]
        if person.broken or person.ideas >= self.ideas_each:
            person = self.seated[seat] = Person(next(self.newcomers))
        return person


async def run_submissions(chat: Chat, crowd: Crowd, organisation: Organisation, count: int,
                          show: Callable[[str], None]) -> Phase:
    """`count` whole submissions by the crowd's people at once: what they measured."""
    phase = chat.phase
    jobs = iter(range(count))
    started = time.perf_counter()

    async def seat(number: int) -> None:
        for _job in jobs:
            person = crowd.person_at(number)
            try:
                phase.references.append(await submit_idea(chat, person, organisation))
            except Broken as error:
                person.broken = True
                phase.problems.append(str(error))

    async def report() -> None:
        while True:
            await asyncio.sleep(0.25)
            spent = time.perf_counter() - started
            show(f"{len(phase.references)}/{count} submissions, {phase.turns} turns, "
                 f"{phase.turns / spent:.0f} turns/s, problems {len(phase.problems)}")

    reporter = asyncio.create_task(report())
    try:
        await asyncio.gather(*(seat(n) for n in range(len(crowd.seated))))
    finally:
        reporter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reporter
    phase.elapsed = time.perf_counter() - started
    return phase

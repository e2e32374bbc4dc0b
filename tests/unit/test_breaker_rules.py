"""The breaker's rules: how long a paused destination waits before each probe, which
conversations have a breaker, and how the PMO is told which one paused."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.addresses import ConversationKind
from bot.domain.breakers import ProbeWaits, destination_name, has_breaker


def test_each_refusal_doubles_the_wait_before_the_next_probe_up_to_the_longest() -> None:
    waits = ProbeWaits(first=timedelta(minutes=5), longest=timedelta(hours=2))

    assert [waits.after(n) for n in range(1, 8)] == [
        timedelta(minutes=m) for m in (5, 10, 20, 40, 80, 120, 120)]
    assert waits.after(10_000) == timedelta(hours=2)  # no overflow however long it refuses


def test_only_shared_conversations_pause_a_person_who_blocked_the_app_is_given_up() -> None:
    assert has_breaker(ConversationKind.CHANNEL) and has_breaker(ConversationKind.GROUP_CHAT)
    assert not has_breaker(ConversationKind.PERSONAL)


def test_the_news_channel_is_named_as_the_pmo_knows_it_others_by_kind_and_id() -> None:
    news = "19:news@thread.tacv2"
    assert destination_name(news, ConversationKind.CHANNEL, news) == "the news channel"
    assert destination_name("19:other@thread.tacv2", ConversationKind.CHANNEL, news) == \
        "the team channel 19:other@thread.tacv2"
    assert destination_name("19:chat@thread.v2", ConversationKind.GROUP_CHAT, None) == \
        "the group chat 19:chat@thread.v2"

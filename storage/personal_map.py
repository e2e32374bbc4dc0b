"""Where the portal keeps personal data: every column of every table is either declared here
with its handling (bot.domain.personal_data.Handling: how it is exported and erased) or
listed as judged not personal. tests/unit/test_personal_map.py holds this to storage/tables.py,
so a column added without a decision fails the tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from bot.domain.personal_data import Handling

I = Handling.IDENTIFIES  # noqa: E741 (the map reads as a table)
NAME = Handling.NAME
CONTACT = Handling.CONTACT
ANSWER = Handling.ANSWER
CONSENT = Handling.CONSENT
OWN = Handling.OWN_TEXT
SENT = Handling.SENT_TO_THEM
M = Handling.MENTIONS
DERIVED = Handling.DERIVED
STATE = Handling.STATE
KEPT = Handling.KEPT

_ANSWERS = {"department": ANSWER, "function": ANSWER, "location": ANSWER, "grade": ANSWER,
            "role_type": ANSWER}

PERSONAL: Final[Mapping[str, Mapping[str, Handling]]] = {
    "people": {"object_id": I, "name": NAME, "email": CONTACT},
    "role_assignments": {"object_id": I},
    "organisation_settings": {"executive_sponsor": I, "pmo_contact": M},
    "change_agents": {"object_id": I},
    # Only a 1:1 chat's address names its person (a channel's keeps no one's id).
    "conversation_addresses": {"conversation_id": STATE, "object_id": STATE, "user_id": STATE},
    # Keys carry the Teams user id and conversation; documents, where a dialog stands.
    "bot_state": {"key": STATE, "document": STATE},
    "feedback": {"author_object_id": I, "comment": OWN, "rating": KEPT, "may_contact": CONSENT},
    "audit_log": {"actor": I, "subject": M, "detail": M},
    "outbox": {"object_id": I, "conversation_id": I, "sent_conversation_id": I,
               "dedupe_key": I, "summary": SENT, "fallback_text": SENT, "card": SENT},
    "ideas": {"contributor_object_id": I, "contributor_name": NAME, **_ANSWERS,
              "named_publicly": CONSENT, "title": M, "problem": M, "proposal": M, "benefit": M,
              "campaign_answers": M, "root_cause_problem": M, "root_cause_implicated": M,
              "public_title": M},
    "idea_history": {"actor": I, "reason": M, "message_to_contributor": M,
                     "internal_note": M, "detail": M},
    "idea_drafts": {"object_id": STATE, "draft": STATE},
    "contributor_profiles": {"object_id": I, **_ANSWERS},
    "campaigns": {"created_by": I, "sent_by": I, "scheduled_by": I, "progress_to": I,
                  "audience_members": I},
    "campaign_opt_outs": {"object_id": I, "opted_out_at": KEPT},
    "digests": {"entries": M, "created_by": I, "sent_by": I},
    "contributor_lookups": {"object_id": I, "email": CONTACT, "upn": CONTACT},
    "match_documents": {"text": M, "digest": DERIVED, "vector": DERIVED},
    "initiatives": {"contact": M, "updated_by": I},
    "idea_supporters": {"object_id": I, "name": NAME, "comment": OWN},
}

NOT_PERSONAL: Final[Mapping[str, frozenset[str]]] = {
    name: frozenset(columns) for name, columns in {
        "people": {"active"},
        "portfolios": {"key", "name", "position", "active"},
        "categories": {"key", "name", "position", "active"},
        "role_assignments": {"role", "portfolio_key", "position"},
        "organisation_settings": {"id", "revision", "news_channel", "loaded_at",
                                  "allow_self_decisions"},
        "change_agents": {"position"},
        "conversation_addresses": {"kind", "service_url", "tenant_id", "bot_id", "channel_id",
                                   "team_id", "first_seen_at", "last_seen_at", "removed_at"},
        "bot_state": {"etag", "updated_at"},
        "feedback": {"id", "card_id", "created_at"},
        "audit_log": {"id", "at", "action"},
        "outbox": {"id", "kind", "tenant_id", "replaces_id", "state", "not_before", "created_at",
                   "due_at", "attempts", "last_error", "lease_owner", "leased_until", "sent_at",
                   "sent_by", "first_attempt_at", "activity_id", "batch", "cancelled_at",
                   "unreachable", "purged_at"},
        "ideas": {"id", "reference", "category_key", "portfolio_key", "campaign_key", "status",
                  "decline_reason", "version", "submitted_at", "updated_at", "submission_key",
                  "legacy_id", "revisit_on", "duplicate_of", "sla_due_on", "first_response_at",
                  "first_response_unreachable", "visibility", "matched_at"},
        "idea_history": {"id", "idea_id", "at", "action", "from_status", "to_status",
                         "notice_key"},
        "job_marks": {"job", "idea_id", "threshold", "at"},
        "reference_counters": {"year", "last_number"},
        "idea_drafts": {"draft_id", "started_at", "updated_at"},
        "contributor_profiles": {"updated_at"},
        "campaigns": {"id", "key", "name", "theme", "description", "questions", "opens_on",
                      "closes_on", "audience_kind", "audience_target", "image_url", "state",
                      "created_at", "remind_before_close", "sent_at", "recipients",
                      "scheduled_at", "progress_drawn_at", "progress_final_at", "reminded_at",
                      "closed_at"},
        "digests": {"id", "covers_from", "covers_to", "total", "state", "created_at", "sent_at",
                    "recipients"},
        "contributor_lookups": {"looked_up_at"},
        "match_documents": {"kind", "item_id", "model", "updated_at"},
        "initiatives": {"id", "reference", "title", "description", "stage", "portfolio_key",
                        "link", "active", "source_key", "created_at", "updated_at"},
        "idea_supporters": {"idea_id", "supported_at"},
        "idea_matches": {"idea_id", "kind", "item_id", "score", "likely_duplicate"},
        # Breakers are kept for team channels and group chats only, never a person's chat.
        "delivery_breakers": {"conversation_id", "kind", "opened_at", "failures", "probe_at",
                              "reason"},
    }.items()
}

# The column whose value is the person's object id on the rows that are theirs, for each table
# that keeps rows of one person (bot_state and the outbox find theirs by more: see
# storage.personal_records).
OWNED_BY: Final[Mapping[str, str]] = {
    "people": "object_id",
    "conversation_addresses": "object_id",
    "feedback": "author_object_id",
    "outbox": "object_id",
    "ideas": "contributor_object_id",
    "idea_drafts": "object_id",
    "contributor_profiles": "object_id",
    "campaign_opt_outs": "object_id",
    "contributor_lookups": "object_id",
    "idea_supporters": "object_id",
}


def columns_with(handling: Handling) -> list[tuple[str, str]]:
    """(table, column) of every column declared with `handling`, in the map's order."""
    return [(table, column) for table, columns in PERSONAL.items()
            for column, each in columns.items() if each is handling]

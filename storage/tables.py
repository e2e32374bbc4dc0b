"""The database schema. Migrations in storage/migrations create it; tests may create_all."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.engine import Dialect

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)



class Timestamp(TypeDecorator[datetime]):
    """A moment in time, stored in UTC and read back timezone-aware on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass a timezone-aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


bot_state = Table(
    "bot_state",
    metadata,
    Column("key", String(400), primary_key=True),
    Column("etag", String(36), nullable=False),
    Column("document", Text, nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
)

conversation_addresses = Table(
    "conversation_addresses",
    metadata,
    Column("conversation_id", String(400), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("service_url", String(400), nullable=False),
    Column("tenant_id", String(64)),
    Column("bot_id", String(200), nullable=False),
    Column("channel_id", String(32), nullable=False),
    Column("object_id", String(64)),
    Column("user_id", String(200)),
    Column("team_id", String(400)),
    Column("first_seen_at", Timestamp(), nullable=False),
    Column("last_seen_at", Timestamp(), nullable=False),
    Column("removed_at", Timestamp()),
    Index(None, "object_id", "kind"),
)

people = Table(
    "people",
    metadata,
    Column("object_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320)),
    Column("active", Boolean, nullable=False, default=True),
)

portfolios = Table(
    "portfolios",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("position", Integer, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)

categories = Table(
    "categories",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("position", Integer, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)

role_assignments = Table(
    "role_assignments",
    metadata,
    Column("object_id", String(64), ForeignKey("people.object_id"), primary_key=True),
    Column("role", String(16), primary_key=True),
    # Empty for the PMO role, which covers every portfolio.
    Column("portfolio_key", String(40), primary_key=True, default=""),
    Column("position", Integer, nullable=False),
)

organisation_settings = Table(
    "organisation_settings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("pmo_contact", Text, nullable=False),
    Column("news_channel", String(400)),
    Column("loaded_at", Timestamp(), nullable=False),
    # False unless the organisation file allows staff to decide their own ideas.
    Column("allow_self_decisions", Boolean, nullable=False, server_default=false()),
    # The Entra object id of who hears weekly of broken promises, if anyone.
    Column("executive_sponsor", String(64)),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("author_object_id", String(64), nullable=False),
    Column("rating", String(1)),
    Column("comment", Text, nullable=False),
    Column("may_contact", Boolean, nullable=False),
    # The Teams message id of the form it came from: a double tap stores it once.
    Column("card_id", String(200)),
    Column("created_at", Timestamp(), nullable=False),
    UniqueConstraint("author_object_id", "card_id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Timestamp(), nullable=False, index=True),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(400), nullable=False),
    Column("detail", JSON, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("dedupe_key", String(400), nullable=False, unique=True),
    # The recipient: a stored conversation, or a person (tenant + Entra object id).
    Column("conversation_id", String(400)),
    Column("object_id", String(64)),
    Column("tenant_id", String(64)),
    Column("summary", Text, nullable=False),
    Column("fallback_text", Text, nullable=False),
    Column("card", JSON, nullable=False),
    # Set on a row that replaces the card another row sent (PUT on that Teams activity).
    Column("replaces_id", Integer, ForeignKey("outbox.id")),
    Column("state", String(16), nullable=False),
    Column("not_before", Timestamp(), nullable=False),
    Column("created_at", Timestamp(), nullable=False),
    # When the message was first owed (queued, or the time it was scheduled for): retries and
    # pacing move `not_before`, never this; the oldest pending age counts from it.
    # (The default serves replicas on older code during a rolling deploy; ours always set it.)
    Column("due_at", Timestamp(), nullable=False, server_default=text("CURRENT_TIMESTAMP")),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("lease_owner", String(64)),
    Column("leased_until", Timestamp()),
    Column("sent_at", Timestamp()),
    # The worker that sent it: the others pace a chat and share a tenant's rate with it.
    Column("sent_by", String(64)),
    # When the first attempt to send it began (the claim it was first tried under): a notice
    # given up on keeps the two-month promise, unreachable, from then.
    Column("first_attempt_at", Timestamp()),
    Column("sent_conversation_id", String(400)),
    Column("activity_id", String(400)),
    # The bulk send it belongs to (a campaign's broadcast), or none for an interactive message.
    Column("batch", String(120), index=True),
    # When its batch was called off, for a row left `cancelled` (never sent, kept on record).
    Column("cancelled_at", Timestamp()),
    # Given up because the recipient cannot be reached (blocked or removed the app, or their
    # chat is gone): sending again would not help, so a campaign's resend passes over it.
    Column("unreachable", Boolean, nullable=False, server_default=false()),
    # When retention emptied its card, summary and text (kept: its activity id, for a later
    # update, and the row itself, for the record); None while it is whole.
    Column("purged_at", Timestamp()),
    Index(None, "state", "not_before"),
    # What a claim looks through: only the rows not sent yet. A purge of a million sent rows
    # leaves this index as it was, where the one above is left full of their dead entries
    # (before VACUUM) or empty pages (after), which a claim read whole: 4.7x to 60x slower.
    Index("ix_outbox_unsent_not_before", "not_before",
          postgresql_where=text("state IN ('pending', 'sending')"),
          sqlite_where=text("state IN ('pending', 'sending')")),
    # Retention: sent rows still whole, oldest first; and rows old enough to delete.
    Index(None, "state", "purged_at", "sent_at", "id"),
    Index(None, "created_at"),
    # Retention keeps a card a kept row would replace: looked up per row it deletes.
    Index(None, "replaces_id"),
)

# A destination conversation (a team channel or a group chat) that refused a send as closed to
# the bot: while a row is here its messages wait rather than fail, until `probe_at`, when one
# is tried; a send that goes through removes it. Shared by every replica, kept across restarts.
delivery_breakers = Table(
    "delivery_breakers",
    metadata,
    Column("conversation_id", String(400), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("opened_at", Timestamp(), nullable=False),
    # Refusals since it opened: the wait before the next probe doubles with each.
    Column("failures", Integer, nullable=False),
    Column("probe_at", Timestamp(), nullable=False),
    Column("reason", Text, nullable=False),
)

ideas = Table(
    "ideas",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reference", String(20), nullable=False, unique=True),
    Column("contributor_object_id", String(64), nullable=False, index=True),
    # The contributor's Teams display name at submission, for staff cards and recognition.
    Column("contributor_name", String(200)),
    # Imported ideas keep their titles whole, however long the list let them be; new ones are
    # held to the intake's limit.
    Column("title", String(1000), nullable=False),
    Column("problem", Text, nullable=False),
    Column("proposal", Text, nullable=False),
    Column("benefit", Text, nullable=False),
    Column("category_key", String(40), nullable=False),
    Column("portfolio_key", String(40), nullable=False, index=True),
    Column("campaign_key", String(40)),
    # The answers to its campaign's own questions: a list of {question, answer}, or none.
    Column("campaign_answers", JSON),
    Column("named_publicly", Boolean, nullable=False),
    Column("status", String(32), nullable=False, index=True),
    Column("decline_reason", String(32)),
    # Every change bumps the version; a card carries it, so a stale press changes nothing.
    Column("version", Integer, nullable=False),
    Column("submitted_at", Timestamp(), nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
    # The draft it came from: confirming the same draft twice makes one idea.
    Column("submission_key", String(64), nullable=False, unique=True),
    # The contributor's diversity answers as they were at submission, for reporting.
    Column("department", String(64), nullable=False),
    Column("function", String(64), nullable=False),
    Column("location", String(64), nullable=False),
    Column("grade", String(64), nullable=False),
    Column("role_type", String(64), nullable=False),
    # The item id in the list this idea was imported from, if any.
    Column("legacy_id", String(64), unique=True),
    # The assessor's answers to the two root-cause questions, required before a decision.
    Column("root_cause_problem", Text),
    Column("root_cause_implicated", Text),
    Column("revisit_on", Date),
    Column("duplicate_of", String(20)),
    # The two-month promise (bot.domain.sla) on the idea's current clock: the last day an
    # answer keeps it, set at submission and at each reopen; when the first substantive notice
    # was sent (or first tried, when the person could not be reached). Reports read these.
    Column("sla_due_on", Date, index=True),
    Column("first_response_at", Timestamp()),
    Column("first_response_unreachable", Boolean, nullable=False, server_default=false()),
    # Who may find it by searching (bot.domain.similar.Visibility): ideas from before search
    # existed stay private; the PMO may hide one, or give it a public title in place of its own.
    Column("visibility", String(16), nullable=False, server_default="private"),
    Column("public_title", String(1000)),
    # When the similar ideas on its assessors' cards were last found (None: not yet).
    Column("matched_at", Timestamp()),
    # Staff queues: the ideas in a status, the longest waiting first, a page at a time.
    Index(None, "status", "submitted_at", "id"),
    # The scheduler's passes: undecided ideas by due day.
    Index(None, "status", "sla_due_on"),
    # The similar-ideas pass: the undecided ideas whose matches are not found yet (none, most
    # of the time), without reading every undecided idea to learn so.
    Index(None, "status", "matched_at"),
    # The ideas each campaign brought, counted for the PMO's list.
    Index(None, "campaign_key"),
)

idea_history = Table(
    "idea_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("idea_id", Integer, ForeignKey("ideas.id"), nullable=False, index=True),
    Column("at", Timestamp(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(32), nullable=False),
    Column("from_status", String(32)),
    Column("to_status", String(32), nullable=False),
    Column("reason", Text),
    Column("message_to_contributor", Text),
    Column("internal_note", Text),
    # The outbox row that told the contributor, so that the time it was sent is known
    # (indexed: each notice sent is looked up by it, to keep the promise's columns).
    Column("notice_key", String(400), index=True),
    # What else the move recorded: the decline reason, duplicate, revisit date, portfolios...
    Column("detail", JSON),
    # The scheduler's reads of a few actions (approvals, questions and answers) across ideas.
    Index(None, "action", "idea_id", "at"),
    # Reports: an idea's last entry at a moment and its first decision, from the index alone.
    Index(None, "idea_id", "at", "id", "to_status"),
)

# What the scheduler's passes have done (bot.domain.reminders.Mark): a reminder for an idea at
# a threshold, a digest for a day. A pass claims its marks in the transaction that queues the
# messages, so two passes at once, or one after a restart, send each once.
job_marks = Table(
    "job_marks",
    metadata,
    Column("job", String(32), primary_key=True),
    Column("idea_id", Integer, primary_key=True),  # 0: not about one idea
    Column("threshold", String(64), primary_key=True),
    Column("at", Timestamp(), nullable=False),
    # A pass reads the marks of the ideas it found; the table only grows.
    Index(None, "idea_id"),
)

reference_counters = Table(
    "reference_counters",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("last_number", Integer, nullable=False),
)

idea_drafts = Table(
    "idea_drafts",
    metadata,
    Column("object_id", String(64), primary_key=True),
    Column("draft_id", String(36), nullable=False),
    Column("draft", JSON, nullable=False),
    Column("started_at", Timestamp(), nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
)

contributor_profiles = Table(
    "contributor_profiles",
    metadata,
    Column("object_id", String(64), primary_key=True),
    Column("department", String(64), nullable=False),
    Column("function", String(64), nullable=False),
    Column("location", String(64), nullable=False),
    Column("grade", String(64), nullable=False),
    Column("role_type", String(64), nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
)

# The change agents ([change_agents] in the organisation file), in the file's order. They need
# not be listed among the people, so no foreign key ties them there.
change_agents = Table(
    "change_agents",
    metadata,
    Column("object_id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
)

# The PMO's campaigns (bot.domain.campaigns.Campaign). Ideas are tagged with `key`.
campaigns = Table(
    "campaigns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(40), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("theme", String(200), nullable=False),
    Column("description", Text, nullable=False),
    # The campaign's own questions, asked after the usual ones: a list of up to three texts.
    Column("questions", JSON, nullable=False),
    Column("opens_on", Date, nullable=False),
    Column("closes_on", Date, nullable=False),
    Column("audience_kind", String(16), nullable=False),
    Column("audience_target", String(400), nullable=False),
    # The Entra object ids of a file audience (empty for any other kind).
    Column("audience_members", JSON, nullable=False),
    Column("image_url", String(1000)),
    Column("state", String(16), nullable=False, index=True),
    Column("created_by", String(200), nullable=False),
    Column("created_at", Timestamp(), nullable=False),
    # Remind the audience two days before the campaign closes.
    Column("remind_before_close", Boolean, nullable=False, server_default=false()),
    # Once its call was sent: when, by whom, to how many recipients.
    Column("sent_at", Timestamp()),
    Column("sent_by", String(200)),
    Column("recipients", Integer),
    # Scheduled: the moment its call goes, and who asked (their chat follows its progress).
    Column("scheduled_at", Timestamp()),
    Column("scheduled_by", String(200)),
    # Whom its progress card went to; the last time it was redrawn, and when it was drawn with
    # the final counts (after which it is left alone).
    Column("progress_to", String(64)),
    Column("progress_drawn_at", Timestamp()),
    Column("progress_final_at", Timestamp()),
    # When the reminder two days before closing was queued, and when it closed.
    Column("reminded_at", Timestamp()),
    Column("closed_at", Timestamp()),
)

# The people who stopped campaign calls ("stop campaigns", or the button on a call). Decision
# notices about their own ideas still reach them: only campaigns read this table.
campaign_opt_outs = Table(
    "campaign_opt_outs",
    metadata,
    Column("object_id", String(64), primary_key=True),
    Column("opted_out_at", Timestamp(), nullable=False),
)

# The workforce digests ("you said, we did", bot.domain.digest.Digest): each fixes its ideas
# when prepared, so that the PMO's preview is what is sent; the last sent one's `covers_to` is
# where the next begins.
digests = Table(
    "digests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("covers_from", Timestamp(), nullable=False),
    Column("covers_to", Timestamp(), nullable=False),
    # The deliveries the card tells (bot.domain.digest.SHOWN at most), as they were told.
    Column("entries", JSON, nullable=False),
    Column("total", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", Timestamp(), nullable=False),
    Column("sent_at", Timestamp()),
    Column("sent_by", String(200)),
    Column("recipients", Integer, nullable=False, default=0),
    Index(None, "state", "covers_to"),
)

# What the Bot Connector said of a person's e-mail address and UPN, asked once, while ideas
# imported from the list kept before the bot wait for their contributors
# (bot.services.legacy_claims): a later import matches its rows to them too.
contributor_lookups = Table(
    "contributor_lookups",
    metadata,
    Column("object_id", String(64), primary_key=True),
    Column("email", String(320)),
    Column("upn", String(320)),
    Column("looked_up_at", Timestamp(), nullable=False),
)

# What similar-idea searches rank, one row per idea or initiative, written in the transaction
# that writes the text: its text as indexed, and the sentence model's vector of it (float32,
# normalised) when the model is on. Each replica's in-memory index reads the rows changed since
# it last looked, so a submission is found at once wherever the next turn lands.
match_documents = Table(
    "match_documents",
    metadata,
    Column("kind", String(16), primary_key=True),
    Column("item_id", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    # sha-256 of the text: an unchanged text is not encoded again.
    Column("digest", String(64), nullable=False),
    # The model that made `vector` (None, with no vector: the model was off).
    Column("model", String(64)),
    Column("vector", LargeBinary),
    Column("updated_at", Timestamp(), nullable=False, index=True),
)

# The PMO's register of known initiatives: change work under way, and capabilities that exist,
# searched beside ideas so that "in progress already" and "already exists" show before
# submission.
initiatives = Table(
    "initiatives",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reference", String(20), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False),
    # bot.domain.initiatives: "under_way" or "exists".
    Column("stage", String(16), nullable=False),
    Column("portfolio_key", String(40)),
    # Who to ask about it, and where to read more (an https link), as the PMO gives them.
    Column("contact", String(200)),
    Column("link", String(500)),
    # Retired entries stay for the record, and are no longer matched.
    Column("active", Boolean, nullable=False, server_default=true()),
    # The row of an imported register it came from, so that importing again updates it.
    Column("source_key", String(64), unique=True),
    Column("created_at", Timestamp(), nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
    Column("updated_by", String(64), nullable=False),
)

# Colleagues who support an idea rather than submit their own: each once, with what they
# added; they follow the idea's updates from then on.
idea_supporters = Table(
    "idea_supporters",
    metadata,
    Column("idea_id", Integer, ForeignKey("ideas.id"), primary_key=True),
    Column("object_id", String(64), primary_key=True),
    Column("name", String(200)),
    Column("comment", Text, nullable=False),
    Column("supported_at", Timestamp(), nullable=False),
    Index(None, "object_id"),
)

# The similar ideas and initiatives found for an idea after it was saved, for its assessors'
# cards (best first by score).
idea_matches = Table(
    "idea_matches",
    metadata,
    Column("idea_id", Integer, ForeignKey("ideas.id"), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("item_id", Integer, primary_key=True),
    Column("score", Float, nullable=False),
    # Flagged by the ranking that found it (each method has its own scale of scores).
    Column("likely_duplicate", Boolean, nullable=False, server_default=false()),
)

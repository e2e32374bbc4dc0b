"""Delivering the outbox to Teams: the mechanics, in small parts the worker composes.

pacing and gate keep Teams' rate limits; verdicts, backoff, throttling and failures say what
an answer from the Bot Connector means for a message; resolver finds where a message goes;
ordering keeps each chat's messages in order; worker claims messages and puts these together.
The portal's own values (what is owed to whom) stay in bot.domain.outbox.
"""

"""Delivering the outbox to Teams: its pace, what the Bot Connector's answers mean, the worker.

The portal's own values (what is owed to whom) stay in bot.domain.outbox.
"""

"""Guided conversations (botbuilder-dialogs) that drive the rules in bot.domain."""

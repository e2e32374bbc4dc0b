"""The longest one 429 from Teams may hold a tenant's messages, unless the settings say otherwise.

The default of a setting (IIP_OUTBOX_MAX_RETRY_AFTER); how a 429 is read and held is
bot.delivery.throttling's.
"""

MAX_RETRY_AFTER_SECONDS = 300.0

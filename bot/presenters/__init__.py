"""Presenters: a request in, a service call, a card out. No Bot Framework code.

Where a card comes from has one answer per kind of card:
- A reply to what a person asked (typed or pressed) is chosen here, in a presenter, from the
  `cards` package: bot/channel only sends what a presenter returns, and the submission dialog
  (dialogs/) only carries IntakeFlow's cards between turns.
- A card sent later, through the outbox (a receipt, a decision's news, a staff card brought up
  to date), is drawn by the services through the view ports they are given (bot.services.ports,
  implemented by cards.decisions.DecisionCards and cards.feedback), composed once in bot/app.py.
  A decision's answer card comes the same way, since it is the card the staff copies show.
"""

"""The ids of everything a card button can ask for.

An Action.Submit carries `{"action": id}` in its data; an Action.Execute carries the same id
as its `verb` and as `data.action`, as Teams recommends.
"""

from enum import StrEnum


class CardAction(StrEnum):
    SHOW_HELP = "help.show"
    OPEN_FEEDBACK = "feedback.open"
    SEND_FEEDBACK = "feedback.send"
    NEW_IDEA = "idea.new"
    RESUME_DRAFT = "intake.resume"
    RESTART_DRAFT = "intake.restart"
    ANSWER = "intake.answer"
    BACK = "intake.back"
    CANCEL = "intake.cancel"
    EDIT = "intake.edit"
    SUBMIT_IDEA = "intake.submit"
    SAVE_PROFILE = "profile.save"
    SKIP_PROFILE = "profile.skip"
    MY_PROFILE = "profile.show"
    MY_IDEAS = "ideas.list"
    IDEA_STATUS = "ideas.status"
    WITHDRAW = "ideas.withdraw"
    CONFIRM_WITHDRAW = "ideas.withdraw.confirm"
    ANSWER_QUESTION = "ideas.answer"
    OPEN_IDEA = "ideas.open"
    MY_QUEUE = "staff.queue"
    TRIAGE = "staff.triage"
    DEFERRED = "staff.deferred"
    QUEUE_PAGE = "queue.page"
    DEFERRED_PAGE = "deferred.page"
    FIND_PAGE = "find.page"
    CAMPAIGN_IDEA = "campaign.idea"
    STOP_CAMPAIGNS = "campaign.stop"
    SHOW_DIGEST = "digest.show"
    SEND_DIGEST = "digest.send"

from support.bot_server import BotServer
from support.connector import StandInConnector


async def test_help_in_a_personal_chat_answers_with_the_help_card(
    bot: BotServer, connector: StandInConnector, teams_activity
):
    activity = teams_activity("message.personal.msteams-docs.json")
    activity["text"] = "help"

    response = await bot.post(activity)

    assert response.status == 200
    sent = await connector.wait_for(2)
    assert "welcome to the Improvement and Innovation Portal" in sent[0].text_seen
    assert "What makes a good suggestion" in sent[1].text_seen
    assert "iip.pmo@example.police.uk" in sent[1].text_seen

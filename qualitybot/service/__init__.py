"""The bot service: signed webhooks in, durable work, one up-to-date comment per submission out.

``qualitybot serve`` answers the platform's webhooks (:mod:`.app`), verifies them
(:mod:`.signatures`) and stores each event durably (:mod:`.inbox`); its dispatcher
process (:mod:`.dispatcher`) hands the events to a huey task queue (:mod:`.worker`)
whose workers run the engine and post the report through the platform adapter.
``qualitybot worker`` runs extra workers on other machines when the queue lives in
Redis. See the README, "The bot service".
"""

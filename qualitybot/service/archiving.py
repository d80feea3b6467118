"""After a submission is checked and its report posted, it joins the archive of earlier articles.

The archive is the one the rules file names (``archive: {path: DIR}`` or
``{redis: URL}``; with workers on several machines, Redis). The submission is
added under its id, so a later revision replaces the earlier one and is never
compared with it. Adding is part of the event's work, before the event is marked
done: a worker killed before it adds leaves the event unfinished, and the event
is run again (check, post, add), which changes nothing twice.
"""

from __future__ import annotations

from datetime import date

from qualitybot.config import RuleSet
from qualitybot.service.events import document_of, parse_event


def archive_submission(ruleset: RuleSet, raw: str) -> None:
    """Add (or replace) the event's submission in the rules file's archive, if it names one."""
    if ruleset.archive is None:
        return
    from qualitybot.archive import open_archive  # numpy and datasketch load only when an archive is used

    event = parse_event(raw.encode("utf-8"))
    assert event.submission is not None  # only validated events are stored
    open_archive(ruleset.archive.location).add(event.submission.id, document_of(event.submission, date.today()))

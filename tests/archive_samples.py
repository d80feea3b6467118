"""Articles written for the archive tests: an original, its copies, and unrelated stories."""

from __future__ import annotations

import random
import re

ORIGINAL = """\
# Harbour bridge reopens after repairs

The harbour bridge reopened to traffic on Saturday morning after eleven weeks of repairs that cost the city council far more than it had planned. Engineers replaced two corroded support cables and resurfaced the whole deck.

Council leader Maria Ortiz said the work had been unavoidable once inspectors found rust inside the cable housings last spring. She thanked residents for their patience and promised that the ferry discount introduced during the closure would stay until the end of the month.

Local shop owners on the north bank said trade had fallen by almost a third while the bridge was shut. Several of them asked the council for help with their rents, and a decision on a support fund is expected at the next council meeting.

The bridge carries about forty thousand vehicles a day. Traffic officers will watch the junctions at both ends during the first week, and cyclists have been asked to use the new lane on the eastern side while the western path is repainted.
"""

# Another story on the same beat: shares topic words, not sentences.
RELATED_TOPIC = """\
# Ferry fares to rise in spring

The city ferry company will raise its fares by six per cent from April, blaming higher fuel prices and the cost of two new boats that joined the fleet last year. Season tickets for commuters will rise by less than single fares.

The company's director said the harbour crossing had carried a record number of passengers while the bridge was closed for repairs. He said the extra income had been spent on longer opening hours and more crew, so it could not pay for the new boats.

Passenger groups criticised the rise and asked the council to keep the discount it paid for during the closure. The council said it would look at the request together with its plans for the north bank, where shops lost trade over the winter.
"""

UNRELATED = """\
# School choir wins national prize

A primary school choir from the valley has won the national youth singing competition, beating more than two hundred schools from across the country. The thirty children performed a folk song arranged by their music teacher.

The head teacher said the pupils had rehearsed every lunchtime since September and had raised money for the trip to the final by selling cakes at the weekend market. Parents travelled on two coaches to watch the performance in the capital.

The choir will now record its winning song for the national radio station, and it has been invited to sing at the opening of the new concert hall in the summer. The prize money will pay for new instruments for the school.
"""

_WORD = re.compile(r"[A-Za-z]+")
FILLER = ["green", "steady", "quiet", "market", "river", "evening", "paper", "silver", "garden", "winter", "morning", "window"]


def spun(text: str, replace: float, seed: int = 7) -> str:
    """A spun copy: sentences reordered within paragraphs, a fifth of them dropped, words replaced."""
    rng = random.Random(seed)
    paragraphs = []
    for block in text.split("\n\n"):
        if block.startswith("#") or not block.strip():
            continue
        sentences = re.split(r"(?<=[.!?])\s+", block.strip())
        rng.shuffle(sentences)
        if len(sentences) > 2:
            sentences.pop(rng.randrange(len(sentences)))
        body = " ".join(sentences)
        paragraphs.append(_WORD.sub(lambda m: rng.choice(FILLER) if rng.random() < replace else m.group(0), body))
    return "\n\n".join(paragraphs) + "\n"

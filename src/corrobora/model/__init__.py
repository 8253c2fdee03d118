"""The nouns of the flow (DESIGN.md, "Data model"), as typed records every stage shares.

Each record knows its serialized form; `to_contract()` gives the JSON of CONTRACTS.md.
"""

from corrobora.model.document import Document, ReadFailure
from corrobora.model.event import ActorRef, EventReport, Range
from corrobora.model.extraction import Extraction
from corrobora.model.mention import Attribution, DateMention, Entity, NumberMention
from corrobora.model.place import Place

__all__ = [
    "ActorRef",
    "Attribution",
    "DateMention",
    "Document",
    "Entity",
    "EventReport",
    "Extraction",
    "NumberMention",
    "Place",
    "Range",
    "ReadFailure",
]

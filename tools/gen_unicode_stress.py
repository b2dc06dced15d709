#!/usr/bin/env python3
"""Writes tests/data/unicode_stress.txt: a deterministic (~30 KB) UTF-8 stress text for the
tokenizers (GPT-2 byte-level BPE, BERT WordPiece). Run from anywhere:

    python3 tools/gen_unicode_stress.py            # (re)writes tests/data/unicode_stress.txt
    python3 tools/gen_unicode_stress.py --check    # exits 1 if the committed file differs

Standard library only; the output depends on nothing but this script (a fixed-seed
random.Random supplies the shuffled mixes), so the file is byte-for-byte reproducible.

What is inside, in order, one section per "## name" header line:
  scripts       sentences in Latin with diacritics (French, German, Polish, Czech, Vietnamese,
                Turkish, Icelandic), Greek (monotonic + polytonic), Cyrillic, Armenian, Hebrew
                (with niqqud), Arabic (with harakat), Persian, Devanagari, Bengali, Tamil,
                Gurmukhi, Thai, Lao, Khmer, Tibetan, Myanmar, Sinhala, Georgian, Hangul
                (precomposed + conjoining jamo), Hiragana/Katakana (+ half-width), CJK unified
                ideographs, CJK extension A and B (astral plane, U+20000..), Ethiopic,
                Cherokee, Mongolian, Canadian syllabics, Runic, Gothic, math alphanumerics,
                fullwidth Latin, Braille
  emoji         single emoji, skin-tone modifiers, ZWJ sequences (families, professions,
                rainbow flag), regional-indicator flags, tag-sequence flags (England),
                keycaps, VS15/VS16 variation selectors, emoji glued to words and digits
  combining     stacked combining marks ("Zalgo"), NFC vs NFD forms of the same word,
                combining marks after spaces, digits and at the start of a line
  controls      every C0 control U+0001..U+001F except \\n (each between letters), DEL,
                C1 controls U+0080..U+009F, U+200B ZWSP, U+200C ZWNJ, U+200D ZWJ, U+2060
                word joiner, U+FEFF BOM (mid-text), U+00AD soft hyphen, bidi marks and
                embeddings (U+200E/F, U+202A..E, U+2066..9), U+FFFD, a private-use char,
                noncharacter-adjacent astral chars
  spaces        NBSP U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F,
                U+3000, U+0085, each between words and in runs
  whitespace    long runs: 100, 257 and 1000 spaces, 120 tabs, mixed space/tab runs,
                \\r\\n and \\r line ends, 150 newlines, trailing spaces before a newline,
                spaces before a word (GPT-2's "\\s+(?!\\S)" rule)
  digits        a 1000-digit run, 1001/1003-digit runs glued to letters, numbers with
                separators, Arabic-Indic / Devanagari / fullwidth digits, superscripts,
                fractions, Roman numeral chars
  contractions  's 't 're 've 'm 'll 'd in lower/UPPER/mixed case with the ASCII apostrophe
                and with U+2019 / U+02BC, doubled apostrophes, leading/trailing apostrophes
  specials      text around "<|endoftext|>": "a<|endoftext|>b", " <|endoftext|> ",
                "<|endoftext|><|endoftext|>", broken variants ("<|endoftext|", "<|endoftext
                |>", "<|ENDOFTEXT|>"), and BERT's "[CLS]", "[SEP]", "[UNK]", "[MASK]",
                "[PAD]" written as plain text
  urls_code     URLs, e-mail addresses, file paths, C / Python / JSON / shell / HTML /
                regex snippets with their indentation
  mixed         mixed scripts without spaces, a shuffled mix of all the above words
                (fixed seed), camelCase/snake_case identifiers, repeated punctuation runs
  long_words    a 600-letter word, a 300-char run of one CJK ideograph, 200 emoji in a row
                (BERT's max_input_chars_per_word = 100 gives [UNK])

Only valid UTF-8 (no lone surrogates): the reference tokenizers work on Python str.
The file ends with a newline; there is no BOM at its very start (one is mid-text).
"""
import argparse
import random
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "unicode_stress.txt"

SCRIPTS = [
    "Latin: Voix ambiguë d'un cœur qui, au zéphyr, préfère les jattes de kiwis. Façade, naïve, Noël, où, île.",
    "German: Falsches Üben von Xylophonmusik quält jeden größeren Zwerg. Straße, Maß, ẞ, Äpfel, Öl, Übermut.",
    "Polish: Zażółć gęślą jaźń. Łódź, Źdźbło, Ćma. Czech: Příliš žluťoučký kůň úpěl ďábelské ódy.",
    "Vietnamese: Tiếng Việt có dấu: Người, được, những, thuở, Hà Nội, Nguyễn, ở đây, quốc ngữ.",
    "Turkish: Pijamalı hasta yağız şoföre çabucak güvendi. İstanbul, ılık, IŞIK, ıİiI. Icelandic: Þórður, ðæ, Ægir.",
    "Greek: Ξεσκεπάζω την ψυχοφθόρα βδελυγμία. Ἐν ἀρχῇ ἦν ὁ λόγος, καὶ ὁ λόγος ἦν πρὸς τὸν θεόν. ΑΒΓΔ αβγδ ς σ Σ.",
    "Cyrillic: Съешь же ещё этих мягких французских булок, да выпей чаю. Ґанок, Їжак, Єва, Ђорђе, Љубав, Џеп.",
    "Armenian: Բարեւ աշխարհ։ Հայաստանի Հանրապետություն, և, ﬓ, ﬔ.",
    "Hebrew: שָׁלוֹם עוֹלָם. בְּרֵאשִׁית בָּרָא אֱלֹהִים אֵת הַשָּׁמַיִם וְאֵת הָאָרֶץ. ש\"ח, צה\"ל.",
    "Arabic: السَّلَامُ عَلَيْكُمْ. بِسْمِ اللَّهِ الرَّحْمَٰنِ الرَّحِيمِ. العربية، ١٢٣٤٥٦٧٨٩٠؟ ﷺ ﷽",
    "Persian: زبان فارسی گچپژ، می‌خواهم (with ZWNJ). Urdu: اردو زبان ٹھیک ہے۔",
    "Devanagari: नमस्ते दुनिया। हिन्दी भाषा, क्षत्रिय, ज्ञान, श्री, ॐ, ०१२३४५६७८९, क़, ड़.",
    "Bengali: আমি বাংলায় গান গাই। ক্ষ, জ্ঞ, ৎ, ০১২৩৪৫৬৭৮৯। Tamil: வணக்கம் உலகம். Gurmukhi: ਸਤਿ ਸ੍ਰੀ ਅਕਾਲ।",
    "Thai: สวัสดีชาวโลก ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ ๑๒๓๔๕ ฯลฯ ๆ. Lao: ສະບາຍດີ. Khmer: សួស្តីពិភពលោក។",
    "Tibetan: བཀྲ་ཤིས་བདེ་ལེགས། Myanmar: မင်္ဂလာပါ။ Sinhala: ආයුබෝවන්. Mongolian: ᠮᠣᠩᠭᠣᠯ ᠪᠢᠴᠢᠭ᠌",
    "Georgian: გამარჯობა მსოფლიო. ქართული ენა. Mkhedruli + Asomtavruli: Ⴀ Ⴁ Ⴂ, Mtavruli: ᲐᲑᲒ.",
    "Hangul: 안녕하세요 세계. 한국어 키보드, 똠방각하, 펲시콜라. Jamo: 각 ᄒᆞᆫ. Compat: ㄱㄴㄷ ㅏㅑ.",
    "Japanese: いろはにほへと ちりぬるを。カタカナ、ヴァイオリン、ｶﾀｶﾅ ﾊﾝｶｸ、ｯﾞﾟ。日本語の文章です。「引用」『二重』〜ー",
    "Chinese: 我能吞下玻璃而不伤身体。繁體中文：學習、網絡、鬱。標點：，。！？、；：「」《》（）",
    "CJK ext A/B: 㐀㐁㐂 䶵 𠀀𠀁𠀂 𠜎𠜱𠝹𠱓 𡃁 𪚥 𫝀 𬺰 𰀀 (astral ideographs), radicals ⺀⺁ ⼀⼁, 〇〡〢.",
    "Ethiopic: ሰላም ለዓለም። ኢትዮጵያ፣ ፩፪፫. Cherokee: ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ, ꮳꮃꭹ. Canadian: ᓄᓇᕗᑦ ᐃᓄᒃᑎᑐᑦ.",
    "Runic: ᚠᚢᚦᚨᚱᚲ ᛁᚲ. Gothic: 𐌰𐌱𐌲𐌳. Ogham: ᚛ᚁᚂᚃ᚜. Braille: ⠓⠑⠇⠇⠕. Math: 𝐇𝐞𝐥𝐥𝐨 𝕎𝕠𝕣𝕝𝕕 𝔄𝔅 ∀x∈ℝ: x²≥0, ∑ᵢ∫∂√∞≠≈.",
    "Fullwidth: Ｈｅｌｌｏ，　Ｗｏｒｌｄ！ １２３ ＡＢＣ. Ligatures: ﬁ ﬂ ﬀ ﬃ. Letterlike: ℃ ℉ № ™ ℡ Å K.",
]

EMOJI = [
    "Emoji: 😀 😃 😄 😁 😆 😅 🤣 😂 🙂 🙃 😉 😊 😇 🥰 😍 🤩 😘 ❤ ❤️ 💔 🔥 ✨ 🎉 👍 👎 🙏 💯 🚀 🌍 🏳",
    "Skin tones: 👍🏻 👍🏼 👍🏽 👍🏾 👍🏿 👋🏽 🤝🏿 🧑🏻‍💻 👩🏾‍🔬 🏃🏽‍♀️ 🤷🏼‍♂️",
    "ZWJ families: 👨‍👩‍👧‍👦 👩‍👩‍👦 👨‍👨‍👧‍👧 👨‍👩‍👧 🧑‍🤝‍🧑 👩‍❤️‍💋‍👨 👨🏻‍🤝‍👨🏿 🏳️‍🌈 🏳️‍⚧️ 🏴‍☠️ 🐻‍❄️ 😶‍🌫️ ❤️‍🔥",
    "Flags: 🇺🇸 🇬🇧 🇫🇷 🇩🇪 🇯🇵 🇰🇷 🇨🇳 🇮🇳 🇧🇷 🇪🇺 🇺🇳 🇦🇶 🏴󠁧󠁢󠁥󠁮󠁧󠁿 🏴󠁧󠁢󠁳󠁣󠁴󠁿 🇺🇸🇬🇧🇫🇷 (adjacent)",
    "Keycaps: 1️⃣ 2️⃣ #️⃣ *️⃣ 🔟. VS15/16: ☺︎ ☺️ ✔︎ ✔️ ↔️ ©️ ®️ ™️",
    "Glued: hello😀world, 42🔥, 😀😀😀, a👨‍👩‍👧‍👦b, 🇺🇸USA, don't😂, ‼️⁉️, 🤖:beep",
]

COMBINING = [
    "Zalgo: Z̴̡̢̛̗̘̙̜̝̞̟̠̤̥̦̩̪̫̬̭̮̯̰̱̲̳̹̺̻̼͇͈͉͍͎̀́̂̃̄̅̆̇̈̉̊̋̌̍̎̏̐̑̒̓̔̽̾̿̀́͂̓̈́͆͊͋͌̕̚ͅ͏͓͔͕͖͙͚͐͑͒͗͛ͣͤͥͦͧͨͩͪͫͬͭͮͯ͘͜͟͢͝͞͠͡a̸̢̛̛̬̞̫l̴̨̛̛̖͓g̵̡̛̫͙o̶̢̧̦͇",
    "NFC: café naïve Åström é ñ ü ǖ ẫ ệ. NFD: café naïve Åström é ñ ü ǖ ẫ ệ.",
    "Stacked: ả̂̃̄̅̆̇̈̉ x̧̨̛̖̗̘̙ q̣̤̥̦̇̈̉̊ 0̴̷̸ 9̲̲̲ ḁ̭̮̯̰̱",
    " ́ leading combining after space,  ̈x, 1́2̂3̃, «̀»",
    "̀ line starts with a combining grave; Devanagari virama alone: ् ; Thai mark alone: ั ; Hebrew point alone: ּ",
]


def controls():
    parts = []
    for c in range(0x01, 0x20):
        if c == 0x0A:
            continue
        parts.append("c%02X%sx" % (c, chr(c)))
    s = "C0: " + " ".join(parts) + "\n"
    s += "DEL: a\x7fb C1: " + " ".join("%s%s" % ("k", chr(c)) for c in range(0x80, 0xA0)) + "\n"
    s += ("Format: zero\u200bwidth\u200bspace, zw\u200cnj, zw\u200dj, word\u2060joiner, bom\ufeffmid, "
          "soft\u00adhy\u00adphen, \u200bleading ZWSP, trailing ZWSP\u200b, \u200b\u200b\u200b triple, "
          "\u200d\u200d ZWJs, \ufeff\ufeff BOMs\n")
    s += ("Bidi: \u200eLRM\u200e \u200fRLM\u200f \u202aLRE\u202c \u202bRLE\u202c \u202dLRO\u202c \u202eRLO\u202c "
          "\u2066LRI\u2069 \u2067RLI\u2069 \u2068FSI\u2069 english \u05e2\u05d1\u05e8\u05d9\u05ea 123 "
          "\u0639\u0631\u0628\u064a english\n")
    s += ("Odd: replacement \ufffd char, private use \ue000\uf8ff, astral PUA \U000f0000, "
          "specials \ufff9\ufffa\ufffb, \U0001d173 music format, tag chars \U000e0041\U000e0042, "
          "variation sel \ufe00 \U000e0100, \u034f CGJ, \u180e MVS, \u061c ALM\n")
    return s


def spaces():
    names = [0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008,
             0x2009, 0x200A, 0x202F, 0x205F, 0x3000, 0x0085, 0x2028, 0x2029]
    s = "Spaces between words: " + " ".join("w%04X%sw" % (c, chr(c)) for c in names) + "\n"
    s += "Runs: a" + "".join(chr(c) for c in names) + "b a" + "\u00a0" * 20 + "b a" + "\u3000" * 10 + "b\n"
    s += "Mixed: x \u00a0 \u2003\t\u3000 y\u00a0\u00a0z \u00a0lead trail\u00a0 \u2009!\u202f?\n"
    return s


def whitespace():
    s = "100 spaces:" + " " * 100 + "end\n"
    s += "257 spaces then word:" + " " * 257 + "word\n"
    s += "1000 spaces:" + " " * 1000 + "|\n"
    s += "120 tabs:" + "\t" * 120 + "end\n"
    s += "mixed:" + " \t" * 60 + "  \t\t  " * 20 + "end\n"
    s += "trailing spaces   \n" + "trailing tabs\t\t\n" + " \n" + "\t\n"
    s += "CRLF line\r\nCR line\rafter CR\r\n\r\n"
    s += "150 newlines:" + "\n" * 150 + "after newlines\n"
    s += "    indented four\n        indented eight\n\t\tindented tabs\n"
    s += "a  b   c    d     e      f\n"
    s += "space then newline \n  \n   \n\n \t \n"
    return s


def digits():
    rng = random.Random(1234)
    run = "".join(rng.choice("0123456789") for _ in range(1000))
    s = "1000 digits: " + run + "\n"
    s += "glued: abc" + "7" * 1001 + "xyz " + "".join(str(i % 10) for i in range(1003)) + "!\n"
    s += "Numbers: 3.14159 2,718,281 1e-9 -0.5 +42 0x1F 0b1010 007 1_000_000 12:30 2024-01-15 $1,234.56 €5 ¥100 50% #1\n"
    s += "Other digits: ٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹ ०१२३४५६७८९ ０１２３４５６７８９ ²³¹⁰ ₀₁₂ ½ ¼ ¾ ⅓ ⅞ Ⅰ Ⅱ Ⅻ ⅰⅱ ① ⑳ ㊿\n"
    return s


def contractions():
    words = ["don't", "don’t", "don\u02bct", "I'M", "I'm", "i'm", "we'LL", "we'll", "WE'LL",
             "they've", "THEY'VE", "you're", "YOU'RE", "he'd", "HE'D", "it's", "IT'S", "It'S",
             "can't", "CAN'T", "won’t", "she’s", "o'clock", "rock'n'roll", "'tis", "'twas",
             "dogs'", "James's", "''quoted''", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d",
             "x'sy", "'S", "'LL", "’s", "’ll", "l'homme", "aujourd'hui", "ma'am", "y'all'd've",
             "''", "'''", "'", "’", "‘single’", "“double”", "„German“", "«French»", "`back`"]
    s = "Contractions: " + " ".join(words) + "\n"
    s += "In text: I'M sure we'LL see; don't you think it's fine? We’re here, they’d go. ’Tis 'em.\n"
    s += "Glued:don't,can't.won't!I'd?" + "'s" * 10 + "\n"
    return s


def specials():
    e = "<|endoftext|>"
    items = ["a" + e + "b", " " + e + " ", e + e, e, "\n" + e + "\n", "word " + e + "Next",
             "  " + e + "  ", e + " " + e, "x" + e + e + e + "y", "<|endoftext|", "endoftext|>",
             "<|endoftext |>", "< |endoftext|>", "<|ENDOFTEXT|>", "<|endoftext|>>", "<<|endoftext|>",
             "<|im_start|>", "<|end|>", "<s> </s> <pad> <unk> <mask>",
             "[CLS] [SEP] [UNK] [MASK] [PAD]", "[CLS]x[SEP]", "[unused0] [unused1]", "##suffix ##",
             "é" + e + "é", "😀" + e + "😀", e + "\u200b"]
    return "Specials:\n" + "\n".join(items) + "\n" + e + "\n"


def urls_code():
    return r'''URLs: https://example.com/path/to/page?query=value&other=42#fragment http://localhost:8080/
ftp://ftp.example.org/pub/file.tar.gz https://de.wikipedia.org/wiki/Stra%C3%9Fe https://例え.jp/パス
mailto:someone@example.com user.name+tag@sub.domain.co.uk www.example.com/~user/index.html
Paths: /usr/local/bin/python3 C:\Users\Name\Documents\file.txt ../relative/path ./a.out ~/.bashrc
C:
#include <stdio.h>
int main(int argc, char **argv) {
    for (int i = 0; i < argc; i++) printf("%d: %s\n", i, argv[i]);
    return x >= 0 && y != 0 ? x << 2 : ~y ^ 0xFF; /* comment */ // line comment
}
Python:
def f(x: int = 0, *args, **kwargs) -> dict[str, list[int]]:
    """Docstring with 'quotes' and "double"."""
    return {k: [v ** 2 for v in range(x)] for k, v in kwargs.items() if v is not None}  # noqa
JSON: {"key": "value", "n": [1, 2.5, -3e10, true, false, null], "nested": {"a": {"b": "c\u00e9\"\\"}}}
Shell: for f in *.txt; do grep -rn 'TODO' "$f" | awk -F: '{print $1}' >> /tmp/out.log 2>&1; done && echo ${HOME:-/}
HTML: <!DOCTYPE html><html lang="en"><body><p class="x">Hello&nbsp;&amp;&lt;world&gt;</p><br/></body></html>
Regex: ^(?:[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*)@\w+\.\w{2,}$
Markdown: **bold** __under__ *it* `code` ~~strike~~ [link](http://x.y) ![img](a.png) | a | b |
|---|---|
Operators: === !== -> => <= >= :: ... ?? ?. ++ -- ** //= >>= <<= &&= ||= <=> |> <|
'''


def mixed():
    rng = random.Random(20240601)
    s = "No spaces: English日本語Русскийالعربية한국어Ελληνικάहिन्दी中文עבריתไทย😀123abc\n"
    s += "Alternating: aБcДeЖgИ1٢3४5六7八 Ωmega-Альфа_βeta.日本\n"
    s += "Identifiers: camelCaseVariable PascalCase snake_case_name SCREAMING_CASE kebab-case XMLHttpRequest getHTTPResponseCode i18n l10n a11y\n"
    s += "Punctuation: !!! ??? ... …… --- ––– ——— ___ *** ### @@@ $$$ %%% ^^^ &&& ((( ))) [[[ ]]] {{{ }}} <<< >>> ||| \\\\\\ /// ~~~ ``` \"\"\" ,,, ;;; :::\n"
    pool = []
    for line in SCRIPTS + EMOJI + COMBINING:
        pool.extend(line.split(" "))
    pool += ["don't", "I'M", "<|endoftext|>", "\t", "  ", "\u00a0", "\u200b", "1234567", "\r\n", "\U00020000"]
    for _ in range(12):
        words = [rng.choice(pool) for _ in range(40)]
        glue = [rng.choice(["", " ", " ", " ", "  ", "\t", "\u3000", "-"]) for _ in words]
        s += "".join(w + g for w, g in zip(words, glue)) + "\n"
    return s


def long_words():
    s = "Long word: " + "abcdefghij" * 60 + " end\n"
    s += "Long word 2: pneumonoultramicroscopicsilicovolcanoconiosis" * 3 + " end\n"
    s += "CJK run: " + "字" * 300 + "\n"
    s += "Emoji run: " + "😀" * 100 + "👨‍👩‍👧‍👦" * 20 + "🇺🇸" * 30 + "\n"
    s += "Hangul run: " + "가나다라마바사" * 30 + "\n"
    s += "Accents run: " + "éèêë" * 50 + "\n"
    return s


def build():
    sections = [
        ("scripts", "\n".join(SCRIPTS) + "\n"),
        ("emoji", "\n".join(EMOJI) + "\n"),
        ("combining", "\n".join(COMBINING) + "\n"),
        ("controls", controls()),
        ("spaces", spaces()),
        ("whitespace", whitespace()),
        ("digits", digits()),
        ("contractions", contractions()),
        ("specials", specials()),
        ("urls_code", urls_code()),
        ("mixed", mixed()),
        ("long_words", long_words()),
    ]
    out = "Unicode stress text for attn's tokenizers (generated by tools/gen_unicode_stress.py).\n"
    for name, body in sections:
        out += "\n## " + name + "\n" + body
    # Repeat the script and emoji lines once in a different arrangement (all in one line,
    # then each line lower/upper cased) so that case handling gets exercised too.
    out += "\n## case\n" + " ".join(SCRIPTS).upper() + "\n" + " ".join(SCRIPTS).lower() + "\n"
    out += " | ".join(EMOJI + COMBINING).swapcase() + "\n"
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the file on disk differs")
    ap.add_argument("-o", "--out", type=Path, default=OUT)
    args = ap.parse_args()
    text = build()
    data = text.encode("utf-8")  # raises on lone surrogates: only valid UTF-8 gets written
    assert not data.startswith(b"\xef\xbb\xbf")
    if args.check:
        same = args.out.is_file() and args.out.read_bytes() == data
        print("%s: %s" % (args.out, "up to date" if same else "DIFFERS"))
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print("wrote %s: %d bytes, %d chars" % (args.out, len(data), len(text)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

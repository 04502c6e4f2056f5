"""Chinese numerals as policy documents print them: 一 … 九十九, 一百零五, 〇, 两, and Arabic digits."""
from __future__ import annotations

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS)


def to_int(s: str) -> int | None:
    """三十一 → 31, 13 → 13, 一百零五 → 105; None when `s` is not a numeral."""
    s = s.strip().replace(" ", "")
    if not s:
        return None
    if s.isdigit():
        return int(s)
    if any(ch not in DIGITS and ch not in UNITS for ch in s):
        return None
    total, current = 0, 0
    for ch in s:
        if ch in DIGITS:
            current = DIGITS[ch]
        else:
            # A bare 十 at the start means 一十.
            total += (current or 1) * UNITS[ch]
            current = 0
    return total + current


def to_number(s: str) -> float | None:
    """1.5 → 1.5, 三 → 3.0, 一点五 → 1.5 (a figure written in Arabic or Chinese digits); None otherwise."""
    s = s.strip()
    try:
        return float(s)
    except ValueError:
        pass
    whole, _, frac = s.partition("点")
    n = to_int(whole)
    if n is None:
        return None
    if frac:
        return float(f"{n}." + "".join(str(to_int(c) or 0) for c in frac))
    return float(n)


def to_chinese(n: int) -> str:
    """31 → 三十一, 10 → 十, 105 → 一百零五 (the form used in measure labels)."""
    if n < 0:
        raise ValueError(f"no Chinese numeral for {n}")
    names = "零一二三四五六七八九"
    if n < 10:
        return names[n]
    if n < 20:
        return "十" + (names[n % 10] if n % 10 else "")
    if n < 100:
        return names[n // 10] + "十" + (names[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        head = names[n // 100] + "百"
        if rest == 0:
            return head
        if rest < 10:
            return head + "零" + names[rest]
        return head + (names[rest // 10] + "十" + (names[rest % 10] if rest % 10 else ""))
    return str(n)

# Plain values of lib/sandbox: the restricted format in which a probe's value leaves the
# candidate's interpreter (written by _harness.py) and is read by the trusted judge (_judge.py).
# Never pickle: JSON text whose objects are tags only.
#   null, true, false, ints, floats (NaN, Infinity, -Infinity), "strings", [lists],
#   {"t": [...]} tuple   {"s": [...]} set   {"f": [...]} frozenset   {"d": [[k, v], ...]} dict
#   {"b": "hex"} bytes   {"c": [re, im]} complex
#   {"h": "sha256"}      a large value, by its digest (equal for values that are ==, see below)
#   {"o": "type name", "b": truth}   not plain data, with its truth value (when bool() answered)
# Subclasses of the plain types are written as their base type (a Counter as a dict, a namedtuple
# as a tuple, an IntEnum as an int), as Python's == compares them. A value whose size exceeds the
# budget (about 32 characters per unit) is written as its digest, except values with floats,
# which are kept up to 64 times the budget so that tolerances can apply. The digest treats 1, 1.0
# and True alike and ignores set and dict order, so digests are equal when the values are ==.
from itertools import chain as _pv_chain
from marshal import dumps as _pv_marshal


class _PvNotPlain(Exception):
    pass


def _pv_quote(text):
    """A JSON string literal (imports _json only for text that needs escapes)."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return '"' + text + '"'
    from _json import encode_basestring_ascii

    return encode_basestring_ascii(text)


_PV_LEAVES = (bool, int, float, str, bytes, complex, type(None))
_PV_FAST = {bool, int, float, str, type(None)}


def _pv_plain(o):
    """A copy of `o` made of the exact plain types, or _PvNotPlain naming the first other type."""
    t = type(o)
    if t in _PV_FAST:
        return o
    if t is list or t is tuple:
        if set(map(type, o)) <= _PV_FAST:
            return o
        items = [_pv_plain(x) for x in o]
        return items if t is list else tuple(items)
    if t is dict:
        return {_pv_plain(k): _pv_plain(v) for k, v in dict.items(o)}
    if t is set or t is frozenset:
        return t(_pv_plain(x) for x in o)
    if t is bytes or t is complex:
        return o
    # Subclasses, through their base type's own methods.
    if isinstance(o, int):
        return int.__int__(o)
    if isinstance(o, float):
        return float.__float__(o)
    if isinstance(o, str):
        return str.__str__(o)
    if isinstance(o, bytes):
        return bytes.__getitem__(o, slice(None))
    if isinstance(o, complex):
        return complex.__complex__(o)
    if isinstance(o, list):
        return [_pv_plain(x) for x in list.copy(o)]
    if isinstance(o, tuple):
        return tuple(_pv_plain(x) for x in tuple.__getitem__(o, slice(None)))
    if isinstance(o, dict):
        return {_pv_plain(k): _pv_plain(v) for k, v in dict.items(o)}
    if isinstance(o, frozenset):
        return frozenset(_pv_plain(x) for x in frozenset.copy(o))
    if isinstance(o, set):
        return set(_pv_plain(x) for x in set.copy(o))
    raise _PvNotPlain(t.__name__)


def _pv_size(o, budget):
    """'small' or 'large' for a plain value (floats are kept up to 64 times the budget)."""
    stack, cost, has_float, cap = [o], 0, False, 64 * budget
    while stack:
        if cost > cap:
            return "large"
        x = stack.pop()
        t = type(x)
        if t is int:
            cost += 1 + (x.bit_length() >> 8)
        elif t is float or t is complex:
            cost += 1
            has_float = True
        elif t is str or t is bytes:
            cost += 1 + (len(x) >> 5)
        elif t is dict:
            cost += 1
            stack.extend(x.keys())
            stack.extend(x.values())
        elif t in (list, tuple, set, frozenset):
            cost += 1
            stack.extend(x)
        else:
            cost += 1
    return "small" if cost <= budget or has_float else "large"


def _pv_float(x):
    if x != x:
        return "NaN"
    if x in (float("inf"), float("-inf")):
        return "Infinity" if x > 0 else "-Infinity"
    return float.__repr__(x)


def _pv_write(o, out):
    t = type(o)
    if o is None:
        out.append("null")
    elif t is bool:
        out.append("true" if o else "false")
    elif t is int:
        out.append(int.__repr__(o))
    elif t is float:
        out.append(_pv_float(o))
    elif t is str:
        out.append(_pv_quote(o))
    elif t is list:
        out.append("[")
        for i, x in enumerate(o):
            if i:
                out.append(",")
            _pv_write(x, out)
        out.append("]")
    elif t is dict:
        out.append('{"d":[')
        for i, (k, v) in enumerate(o.items()):
            out.append(",[" if i else "[")
            _pv_write(k, out)
            out.append(",")
            _pv_write(v, out)
            out.append("]")
        out.append("]}")
    elif t is tuple or t is set or t is frozenset:
        out.append('{"%s":' % ("t" if t is tuple else "s" if t is set else "f"))
        _pv_write(list(o), out)
        out.append("}")
    elif t is bytes:
        out.append('{"b":"%s"}' % o.hex())
    elif t is complex:
        out.append('{"c":[%s,%s]}' % (_pv_float(o.real), _pv_float(o.imag)))
    else:
        raise _PvNotPlain(t.__name__)


def _pv_encode(o, budget):
    """The plain-value text of any Python value."""
    try:
        value = _pv_plain(o)
        if _pv_size(value, budget) == "large":
            return '{"h":"%s"}' % _pv_digest(value)
        out = []
        _pv_write(value, out)
        return "".join(out)
    except _PvNotPlain as exc:
        try:
            truth = ',"b":true' if o else ',"b":false'
        except Exception:
            truth = ""
        return '{"o":%s%s}' % (_pv_quote(str.__str__(exc.args[0])), truth)
    except RecursionError:
        return '{"o":"nested too deep"}'


_PV_NUMBER_TYPES = {int, float, bool}
_PV_EXACT = 2**53  # ints up to this size convert to float exactly
_PV_NORMAL_LEAVES = {str, int, bytes, complex, type(None)}
_PV_SEQUENCES = {list, tuple}


def _pv_norm(o):
    """A structure whose marshal bytes are canonical for `==`: 1, 1.0 and True alike, no set order."""
    t = type(o)
    if t is bool:
        return int(o)
    if t is int:
        return o
    if t is float:
        return int(o) if o.is_integer() else o
    if t is str or t is bytes or t is complex or o is None:
        return o
    if t is list:
        return [_pv_norm(i) for i in o]
    if t is tuple:
        return tuple(_pv_norm(i) for i in o)
    if t is set or t is frozenset:
        return ("\x00set",) + tuple(sorted(_pv_digest(i) for i in o))
    if t is dict:
        return ("\x00dict",) + tuple(sorted(_pv_digest(k) + _pv_digest(v) for k, v in o.items()))
    raise _PvNotPlain(t.__name__)


def _pv_is_normal(part):
    """Whether `part` holds only lists, tuples, strings and ints (so it is its own normal form)."""
    level = part
    while level:
        types = set(map(type, level))
        if not types <= _PV_NORMAL_LEAVES | _PV_SEQUENCES:
            return False
        if not types & _PV_SEQUENCES:
            return True
        level = list(_pv_chain.from_iterable(x for x in level if type(x) in _PV_SEQUENCES))
    return True


def _pv_slice_bytes(part):
    """Canonical bytes of a list slice: doubles for plain numbers, else the marshalled normal form."""
    types = set(map(type, part))
    if types <= _PV_NUMBER_TYPES:
        exact = types == {float}
        if not exact:
            try:
                exact = -_PV_EXACT <= min(part) and max(part) <= _PV_EXACT  # False with nan
            except TypeError:
                exact = False
        if exact:  # as doubles, equal numbers (1 and 1.0) give equal bytes
            from array import array

            return b"D" + array("d", part).tobytes()
    # marshal format 0 (no back-references) gives equal bytes for equal values, at C speed.
    if _pv_is_normal(part):
        return b"M" + _pv_marshal(part, 0)
    return b"M" + _pv_marshal(_pv_norm(part), 0)


def _pv_feed(h, o):
    t = type(o)
    if t is bool or t is int or (t is float and o.is_integer()):
        n = int(o)
        h.update(b"i%d:" % n.bit_length())
        h.update(n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True))
    elif t is str:
        b = o.encode("utf-8", "surrogatepass")
        h.update(b"s%d:" % len(b))
        h.update(b)
    elif t is list or t is tuple:
        h.update(b"%s%d:" % (b"l" if t is list else b"t", len(o)))
        for s in range(0, len(o), 4096):  # bounded slices keep memory flat
            h.update(_pv_slice_bytes(o[s : s + 4096]))
    else:
        h.update(b"m" + _pv_marshal(_pv_norm(o), 0))


def _pv_digest(o):
    """Sha256 (hex) of a plain value; equal for values that are ==, within the rules above."""
    import hashlib  # only large values need it (an import costs ~2 ms per run)

    h = hashlib.sha256()
    _pv_feed(h, o)
    return h.hexdigest()

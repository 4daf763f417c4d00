package finder

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"hearth/protocol"
)

// Text search. A query's words are folded (case and accents ignored) and
// every one must appear in the listing's text, each at the start of a word:
// "reun" finds "Réunion", "step" finds "Steps", but "union" does not find
// "Réunion". Words of one or two letters must be whole words, because short
// query words are nearly always abbreviations: "AA" must not find "Kaala",
// nor "NA" every "Nairobi". Scripts written without spaces (Chinese,
// Japanese, Thai, …) have no word starts to go by, so there a query word
// may match anywhere.
//
// Scanning 100,000 listings' text for every query is too slow for a cheap
// machine (about 20 ms), so each listing carries a small Bloom signature of
// its word starts; a query checks the signature first and reads the text
// only of listings that might match, and of those only the ones that would
// make the results.

// signature is a 256-bit Bloom filter of a listing's word keys: the first
// three letters of each word, or the whole word if shorter. With two bits a
// key and the forty-odd words of a typical listing, about one listing in
// fifteen passes by chance; the text check then weeds it out.
type signature [4]uint64

func (s *signature) add(key string, whole bool) {
	// FNV-1a, written out so a Put does not allocate a hash per word.
	const offset, prime = 14695981039346656037, 1099511628211
	v := uint64(offset)
	if whole {
		v = (v ^ '=') * prime // "st" the word is not "st…" the prefix
	}
	for i := 0; i < len(key); i++ {
		v = (v ^ uint64(key[i])) * prime
	}
	for _, b := range [2]uint64{v & 255, (v >> 8) & 255} {
		s[b/64] |= 1 << (b % 64)
	}
}

// covers reports whether every bit of q is set in s.
func (s *signature) covers(q *signature) bool {
	return s[0]&q[0] == q[0] && s[1]&q[1] == q[1] && s[2]&q[2] == q[2] && s[3]&q[3] == q[3]
}

// signatureOf is the signature of a folded text.
func signatureOf(text string) signature {
	var s signature
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) || noSpaces(r) || !wordStart(text, i) {
			i += size
			continue
		}
		key, whole := wordKey(text[i:])
		s.add(key, whole)
		i += len(key)
	}
	return s
}

// wordKey is the signature key of the word at the start of s: its first
// three runes, or the whole word if it is shorter.
func wordKey(s string) (key string, whole bool) {
	n := 0
	for i, r := range s {
		if n == 3 {
			return s[:i], false
		}
		if !isWordRune(r) || noSpaces(r) {
			return s[:i], true
		}
		n++
	}
	return s, n < 3
}

// textQuery is a query's text, folded and split into words.
type textQuery struct {
	words []string
	sig   signature // the keys every matching listing's signature holds
}

func parseText(s string) textQuery {
	var q textQuery
	for _, w := range strings.FieldsFunc(fold(s), func(r rune) bool { return !isWordRune(r) }) {
		q.words = append(q.words, w)
		if strings.IndexFunc(w, noSpaces) >= 0 {
			continue // matches anywhere: no word key to require
		}
		key, whole := wordKey(w)
		q.sig.add(key, whole)
	}
	return q
}

// matches reports whether every query word is in the folded text.
func (q *textQuery) matches(text string) bool {
	for _, w := range q.words {
		if !containsWord(text, w) {
			return false
		}
	}
	return true
}

// containsWord reports whether w starts a word of text (and, if w is one or
// two letters, is the whole word).
func containsWord(text, w string) bool {
	anywhere := strings.IndexFunc(w, noSpaces) >= 0
	whole := !anywhere && utf8.RuneCountInString(w) <= 2
	for off := 0; off < len(text); {
		i := strings.Index(text[off:], w)
		if i < 0 {
			return false
		}
		i += off
		if anywhere || wordStart(text, i) && (!whole || wordEnd(text, i+len(w))) {
			return true
		}
		_, size := utf8.DecodeRuneInString(text[i:])
		off = i + size
	}
	return false
}

// wordStart reports whether a word starts at byte i of s.
func wordStart(s string, i int) bool {
	if i == 0 {
		return true
	}
	prev, _ := utf8.DecodeLastRuneInString(s[:i])
	return !isWordRune(prev) || noSpaces(prev)
}

// wordEnd reports whether a word ends at byte j of s.
func wordEnd(s string, j int) bool {
	if j >= len(s) {
		return true
	}
	next, _ := utf8.DecodeRuneInString(s[j:])
	return !isWordRune(next) || noSpaces(next)
}

// isWordRune: letters, digits and the marks some scripts write vowels with.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// noSpaceScripts are written without spaces between words.
var noSpaceScripts = []*unicode.RangeTable{
	unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar,
}

func noSpaces(r rune) bool {
	return r >= 0x0E00 && unicode.In(r, noSpaceScripts...)
}

// fold is protocol.Fold with a fast path: plain ASCII needs only
// lower-casing, and Fold's transformer chain allocates several kilobytes a
// call, which made bulk loads mostly garbage collection.
func fold(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return protocol.Fold(s)
		}
	}
	return strings.ToLower(s)
}

// normalizeRegion folds a region name and reduces its punctuation and spaces
// to single spaces, so "Saint-Denis" and "saint denis" are one region.
func normalizeRegion(s string) string {
	return strings.Join(strings.FieldsFunc(fold(s), func(r rune) bool { return !isWordRune(r) }), " ")
}

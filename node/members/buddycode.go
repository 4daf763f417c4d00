package members

import (
	"crypto/rand"
	"slices"
	"strings"
	"sync"
	"time"
)

// Buddy codes: what one member gives another to become buddies. A code
// lives only in this process's memory, with the link's key, until it is
// taken, replaced, cancelled or expired; a restart forgets every code, and
// the disk never holds one.

// Codes are 8 characters of an alphabet without the look-alikes 0 O 1 I
// L U, shown in two groups of four: K7P3-Q9XM.
const (
	codeAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
	codeLen      = 8
)

// offer is one code waiting to be taken.
type offer struct {
	code         string // normalized: 8 characters of codeAlphabet
	nick         string
	key          []byte
	mine, theirs []byte // signal IDs, as the maker holds them
	until        time.Time
}

// offers are the codes alive, and each member's recent wrong codes.
type offers struct {
	mu     sync.Mutex
	byCode map[string]*offer
	byNick map[string]*offer
	tries  map[string][]time.Time
}

func newOffers() *offers {
	return &offers{byCode: map[string]*offer{}, byNick: map[string]*offer{}, tries: map[string][]time.Time{}}
}

// add gives o a fresh code and keeps it, replacing its maker's last one.
func (ot *offers) add(o *offer, now time.Time) error {
	ot.mu.Lock()
	defer ot.mu.Unlock()
	ot.sweepLocked(now)
	ot.dropLocked(o.nick)
	if len(ot.byCode) >= maxOffers {
		return errBuddyBusy
	}
	for {
		o.code = newCode()
		if ot.byCode[o.code] == nil {
			break
		}
	}
	ot.byCode[o.code] = o
	ot.byNick[o.nick] = o
	return nil
}

// of is nick's code, if one is alive.
func (ot *offers) of(nick string, now time.Time) *offer {
	ot.mu.Lock()
	defer ot.mu.Unlock()
	ot.sweepLocked(now)
	return ot.byNick[nick]
}

// find looks up a code typed by the member taker. A code of the wrong
// shape is refused without counting; a well-formed one that is not alive
// counts as a wrong try.
func (ot *offers) find(taker, typed string, now time.Time) (*offer, error) {
	code, ok := normalizeCode(typed)
	ot.mu.Lock()
	defer ot.mu.Unlock()
	ot.sweepLocked(now)
	tries := slices.DeleteFunc(ot.tries[taker], func(t time.Time) bool { return now.Sub(t) >= codeTryWindow })
	ot.tries[taker] = tries
	if len(tries) >= codeTries {
		wait := codeTryWindow - now.Sub(tries[0])
		return nil, errBuddyTries.With(int((wait + time.Minute - 1) / time.Minute))
	}
	if !ok {
		return nil, ErrBuddyCode
	}
	o := ot.byCode[code]
	if o == nil {
		ot.tries[taker] = append(tries, now)
		return nil, ErrBuddyCode
	}
	return o, nil
}

// take spends o: true if it was still alive.
func (ot *offers) take(o *offer) bool {
	ot.mu.Lock()
	defer ot.mu.Unlock()
	if ot.byCode[o.code] != o {
		return false
	}
	ot.dropLocked(o.nick)
	return true
}

// drop forgets nick's code.
func (ot *offers) drop(nick string) {
	ot.mu.Lock()
	defer ot.mu.Unlock()
	ot.dropLocked(nick)
}

func (ot *offers) dropLocked(nick string) {
	if o := ot.byNick[nick]; o != nil {
		delete(ot.byCode, o.code)
		delete(ot.byNick, nick)
	}
}

// sweepLocked forgets expired codes and old tries.
func (ot *offers) sweepLocked(now time.Time) {
	for nick, o := range ot.byNick {
		if !now.Before(o.until) {
			ot.dropLocked(nick)
		}
	}
	for nick, tries := range ot.tries {
		if len(tries) == 0 || now.Sub(tries[len(tries)-1]) >= codeTryWindow {
			delete(ot.tries, nick)
		}
	}
}

// newCode is a random code, each character uniform over the alphabet.
func newCode() string {
	const limit = 256 - 256%len(codeAlphabet) // reject above, so no character is likelier
	out := make([]byte, 0, codeLen)
	var buf [16]byte
	for len(out) < codeLen {
		rand.Read(buf[:])
		for _, c := range buf {
			if int(c) < limit && len(out) < codeLen {
				out = append(out, codeAlphabet[int(c)%len(codeAlphabet)])
			}
		}
	}
	return string(out)
}

// normalizeCode reads a code as typed: any case, spaces and dashes
// ignored. ok is false if it cannot be a code.
func normalizeCode(typed string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(typed) {
		switch {
		case r == ' ' || r == '-':
		case r < 128 && strings.IndexByte(codeAlphabet, byte(r)) >= 0:
			b.WriteRune(r)
		default:
			return "", false
		}
		if b.Len() > codeLen {
			return "", false
		}
	}
	return b.String(), b.Len() == codeLen
}

// formatCode shows a code in two groups: K7P3-Q9XM.
func formatCode(code string) string { return code[:codeLen/2] + "-" + code[codeLen/2:] }

package members

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"hearth/node/problem"
)

// Rules for a new PIN. A PIN guards a member's check-ins in two places:
// at the page, where lockouts allow a guesser a few tries an hour, and on
// the disk, where whoever copies it can try PINs as fast as argon2id
// allows (see the README's "What the disk shows"). Six digits make a
// million PINs instead of ten thousand; refusing the common ones keeps a
// guesser from starting with a handful that open a good share of accounts.
// Accounts made under older rules keep their PINs: Unlock checks none of
// this.
const (
	minPINLen = 6
	maxPINLen = 64
)

// ErrBadPIN: Add was given a PIN that breaks the rules; the error is one
// of the coded PIN problems below, which says which rule.
var ErrBadPIN = errors.New("the PIN breaks the rules")

// PIN problems. A page says each in its own words.
var (
	errPINShort    = problem.Define("pin.short", fmt.Sprintf("the PIN is too short: use at least %d digits or letters", minPINLen), ErrBadPIN)
	errPINLong     = problem.Define("pin.long", fmt.Sprintf("the PIN is too long: use at most %d characters", maxPINLen), ErrBadPIN)
	errPINText     = problem.Define("pin.invalid", "the PIN is not valid text: type it again", ErrBadPIN)
	errPINRepeats  = problem.Define("pin.repeats", "the PIN repeats itself (like 111111 or 121212), so it is easy to guess: choose another", ErrBadPIN)
	errPINSequence = problem.Define("pin.sequence", "the PIN is a run (like 123456 or 654321), so it is easy to guess: choose another", ErrBadPIN)
	errPINCommon   = problem.Define("pin.common", "the PIN is one of the most common ones, so it is easy to guess: choose another", ErrBadPIN)
	errPINIsNick   = problem.Define("pin.nickname", "the PIN is the nickname, so it is easy to guess: choose another", ErrBadPIN)
)

// repeatPeriod: a PIN that repeats a unit this long or shorter is refused.
const repeatPeriod = 3

// checkPIN checks a new PIN against the rules. Any characters count, so a
// member may use a passphrase in their own script; length is in
// characters, not bytes. Letters are compared without case.
func checkPIN(pin, nick string) error {
	if !utf8.ValidString(pin) {
		return errPINText
	}
	n := utf8.RuneCountInString(pin)
	switch {
	case n < minPINLen:
		return errPINShort
	case n > maxPINLen:
		return errPINLong
	}
	folded := strings.ToLower(pin)
	r := []rune(folded)
	switch {
	case repeats(r):
		return errPINRepeats
	case isRun(r):
		return errPINSequence
	case commonPINs[folded]:
		return errPINCommon
	case nick != "" && folded == strings.ToLower(strings.TrimSpace(nick)):
		return errPINIsNick
	}
	return nil
}

// repeats reports whether r is a unit of at most repeatPeriod characters
// over and over: 111111, 121212, 123123, abcabc.
func repeats(r []rune) bool {
	for p := 1; p <= repeatPeriod && 2*p <= len(r); p++ {
		same := true
		for i := p; i < len(r) && same; i++ {
			same = r[i] == r[i-p]
		}
		if same {
			return true
		}
	}
	return false
}

// isRun reports whether r steps by the same one or two every time: digits
// around the dial (123456, 654321, 890123, 135791, 246802) or letters
// (abcdef, fedcba).
func isRun(r []rune) bool {
	step, ok := runStep(r[0], r[1])
	if !ok || step == 0 {
		return false
	}
	for i := 2; i < len(r); i++ {
		if s, ok := runStep(r[i-1], r[i]); !ok || s != step {
			return false
		}
	}
	return true
}

// runStep is how far b is from a: for digits modulo 10, for letters plain.
// ok is false for any other pair, or a step of more than two.
func runStep(a, b rune) (step int, ok bool) {
	switch {
	case isDigit(a) && isDigit(b):
		step = (int(b-a) + 10) % 10
		if step > 5 {
			step -= 10
		}
	case a >= 'a' && a <= 'z' && b >= 'a' && b <= 'z':
		step = int(b - a)
	default:
		return 0, false
	}
	return step, step >= -2 && step <= 2
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// commonPINs are PINs and passwords of six characters or more that people
// choose most, from published studies of leaked PINs and passwords, which
// the rules above do not already refuse: keypad shapes (147258 is a
// column walk on a phone's keypad, 159753 an X), mirror images, and
// words. Dates (DDMMYY) are allowed: a guesser cannot tell which one.
var commonPINs = map[string]bool{}

func init() {
	for _, p := range strings.Fields(`
		112233 123321 111222 112211 102030 100200 123654 123789 131415 121314
		147258 147852 147369 159753 159357 258369 258456 369258 357159 741852
		753951 789456 789123 852456 951753 963852 321654 456123 654123 987456
		123098 098765 159951 357753 147741 258852 369963 753159 456654 789987
		123454 654456 292513 520131 520520 666999 696969 007007 110110 121121
		246810 135790 112358 314159 100000 200000 999000 000123 123000 111000
		password password1 passw0rd qwerty qwertyuiop qwertz azerty asdfgh
		zxcvbn 1q2w3e 1q2w3e4r qazwsx abc123 123abc iloveyou letmein monkey
		dragon football baseball welcome sunshine princess master shadow
		superman michael jesus1 123qwe qwe123 trustno1 starwars secret
		contraseña contrasena motdepasse soleil bonjour hearth`) {
		commonPINs[p] = true
	}
}

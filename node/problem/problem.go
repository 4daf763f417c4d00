// Package problem implements coded errors: what is wrong with something a
// member or operator gave, said as a key and arguments that the member page
// translates, and as one line of English for the CLI, the JSON API and
// logs. So a rule and its message live in one place, the package whose
// rule it is, and a page says it in the member's language instead of
// checking the rule a second time (miniflux's LocalizedError works so).
//
// A package declares each of its problems once, with Define, and returns
// it, or a copy With arguments. Callers test for it with errors.Is; a page
// finds it with errors.As and translates Key with Args. Every key has a
// string in the page's catalogues (node/web/i18n), with the same verbs as
// the English, which a test of node/web checks through Defined.
package problem

import (
	"fmt"
	"slices"
	"sync"
)

// Error is a coded error.
type Error struct {
	// Key names the message in the page's catalogues ("checkin.badmood").
	Key string
	// Args fill the message's verbs, in the catalogues and in English.
	Args []any

	english string  // a fmt format
	parents []error // what errors.Is also matches
}

// Define declares a problem: its key, its English message (a fmt format
// when the problem is returned With arguments), and the sentinel errors
// it also matches, such as a package's ErrInvalidCheckIn. Packages call it
// for their package-level variables.
func Define(key, english string, parents ...error) *Error {
	e := &Error{Key: key, english: english, parents: parents}
	defined.Lock()
	defined.list = append(defined.list, e)
	defined.Unlock()
	return e
}

var defined struct {
	sync.Mutex
	list []*Error
}

// Defined is every problem declared so far by the packages linked in.
func Defined() []*Error {
	defined.Lock()
	defer defined.Unlock()
	return slices.Clone(defined.list)
}

// With is e with arguments for its message's verbs. It matches e, and
// what e matches, with errors.Is.
func (e *Error) With(args ...any) *Error {
	return &Error{Key: e.Key, Args: args, english: e.english, parents: []error{e}}
}

// Error is the message in English.
func (e *Error) Error() string {
	if len(e.Args) == 0 {
		return e.english
	}
	return fmt.Sprintf(e.english, e.Args...)
}

// Format is the English message's fmt format, for checking that a
// catalogue's string takes the same arguments.
func (e *Error) Format() string { return e.english }

func (e *Error) Unwrap() []error { return e.parents }

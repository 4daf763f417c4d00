package problem

import (
	"errors"
	"fmt"
	"testing"
)

func TestProblem(t *testing.T) {
	t.Parallel()
	errGroup := errors.New("invalid thing")
	tooMany := Define("test.toomany", "at most %d things", errGroup)
	missing := Define("test.missing", "the thing is missing")

	err := fmt.Errorf("not saved: %w", tooMany.With(10))
	if err.Error() != "not saved: at most 10 things" {
		t.Errorf("message: %q", err)
	}
	if !errors.Is(err, tooMany) || !errors.Is(err, errGroup) || errors.Is(err, missing) {
		t.Errorf("errors.Is: %v %v %v", errors.Is(err, tooMany), errors.Is(err, errGroup), errors.Is(err, missing))
	}
	var p *Error
	if !errors.As(err, &p) || p.Key != "test.toomany" || len(p.Args) != 1 || p.Args[0] != 10 {
		t.Errorf("errors.As: %+v", p)
	}
	if missing.Error() != "the thing is missing" || errors.Is(missing, errGroup) {
		t.Errorf("without arguments: %v", missing)
	}
	found := 0
	for _, d := range Defined() {
		if d == tooMany || d == missing {
			found++
		}
	}
	if found != 2 {
		t.Errorf("Defined has %d of the 2 problems defined here", found)
	}
}

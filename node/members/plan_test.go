package members

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"hearth/node/problem"
	"hearth/store"
)

func TestSafetyPlanRoundTrip(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.book()
	mustAdd(t, b, "ana", "428613")
	a := mustUnlock(t, b, "ana", "428613")
	if p, err := a.SafetyPlan(); err != nil || !p.Empty() {
		t.Fatalf("new plan: %+v %v", p, err)
	}
	saved, err := a.EditSafetyPlan(PlanEdit{
		StepWarningSigns: {"can't sleep\r\n  \n\tpacing at night  ", "skipping meals"},
		StepAsk:          {"Mum 0722 123 456"},
		StepSafer:        {"give the pills to Joy"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[PlanStep][]string{
		StepWarningSigns: {"can't sleep", "pacing at night", "skipping meals"},
		StepAsk:          {"Mum 0722 123 456"},
		StepSafer:        {"give the pills to Joy"},
	}
	if !reflect.DeepEqual(saved.Steps, want) || !saved.Updated.Equal(e.clock.Now().Truncate(1e9)) {
		t.Errorf("saved: %+v", saved)
	}
	// After a restart, the same; a partial edit keeps the other steps.
	b = e.reopen()
	a = mustUnlock(t, b, "ana", "428613")
	if p, err := a.SafetyPlan(); err != nil || !reflect.DeepEqual(p.Steps, want) {
		t.Errorf("after reopen: %+v %v", p, err)
	}
	if _, err := a.EditSafetyPlan(PlanEdit{StepAsk: nil, StepAlone: {"walk to the river"}}); err != nil {
		t.Fatal(err)
	}
	delete(want, StepAsk)
	want[StepAlone] = []string{"walk to the river"}
	if p, _ := a.SafetyPlan(); !reflect.DeepEqual(p.Steps, want) {
		t.Errorf("after a partial edit: %+v", p.Steps)
	}
	// Every step cleared: the record goes.
	clear := PlanEdit{}
	for _, s := range PlanSteps {
		clear[s] = nil
	}
	if p, err := a.EditSafetyPlan(clear); err != nil || !p.Empty() {
		t.Fatalf("cleared: %+v %v", p, err)
	}
	if _, err := e.st.GetSafetyPlan("ana"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an empty plan is still stored: %v", err)
	}
}

func TestSafetyPlanRules(t *testing.T) {
	t.Parallel()
	b := newEnv(t).book()
	mustAdd(t, b, "ana", "428613")
	a := mustUnlock(t, b, "ana", "428613")
	kept := PlanEdit{StepAlone: {"music"}}
	if _, err := a.EditSafetyPlan(kept); err != nil {
		t.Fatal(err)
	}
	many := make([]string, MaxPlanStepLines+1)
	for i := range many {
		many[i] = "x"
	}
	for _, tc := range []struct {
		edit PlanEdit
		want string
	}{
		{PlanEdit{StepAlone: {strings.Repeat("a", MaxPlanStepChars+1)}}, `"Things I can do on my own" is too long: at most 1000 characters`},
		// Lines count with the breaks between them.
		{PlanEdit{StepAsk: {strings.Repeat("a", 500), strings.Repeat("b", 500)}}, `"People I can ask for help" is too long: at most 1000 characters`},
		{PlanEdit{StepSafer: many}, `"Making my place safer" has too many lines: at most 20`},
		{PlanEdit{StepWarningSigns: {"bell\x07"}}, `"Warning signs" must be plain text`},
		{PlanEdit{StepWarningSigns: {"\xff"}}, `"Warning signs" must be plain text`},
		{PlanEdit{"reasons": {"x"}}, `there is no step "reasons" in a safety plan`},
	} {
		_, err := a.EditSafetyPlan(tc.edit)
		var p *problem.Error
		if !errors.Is(err, ErrInvalidPlan) || !errors.As(err, &p) || err.Error() != tc.want {
			t.Errorf("%v: %v, want %q", tc.edit, err, tc.want)
		}
		if tc.edit.Validate() == nil {
			t.Errorf("%v: Validate finds nothing wrong", tc.edit)
		}
	}
	// At the limits: fine. Non-Latin letters count as one each.
	ok := PlanEdit{StepAlone: {strings.Repeat("日", MaxPlanStepChars)}, StepSafer: many[:MaxPlanStepLines]}
	if _, err := a.EditSafetyPlan(ok); err != nil {
		t.Errorf("a plan at the limits: %v", err)
	}
	// The problem names the step, so a page can say it in its words.
	_, err := a.EditSafetyPlan(PlanEdit{StepAsk: {strings.Repeat("a", MaxPlanStepChars+1)}})
	var p *problem.Error
	if errors.As(err, &p); p == nil || p.Key != "plan.long" || p.Args[0] != StepAsk {
		t.Errorf("problem: %+v", p)
	}
	if got, _ := a.SafetyPlan(); len(got.Steps[StepAsk]) != 0 {
		t.Error("a refused edit changed the plan")
	}
}

// The plan is sealed like a check-in: the store holds nothing readable,
// and the sealed bytes open only for their own member, as a plan.
func TestSafetyPlanSealed(t *testing.T) {
	t.Parallel()
	const secret = "SECRET-PLAN-7c1d"
	e := newEnv(t)
	b := e.book()
	mustAdd(t, b, "ana", "428613")
	mustAdd(t, b, "ben", "573920")
	ana := mustUnlock(t, b, "ana", "428613")
	ben := mustUnlock(t, b, "ben", "573920")
	if _, err := ana.EditSafetyPlan(PlanEdit{StepWarningSigns: {secret}}); err != nil {
		t.Fatal(err)
	}
	sealed, err := e.st.GetSafetyPlan("ana")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("SECRET")) || bytes.Contains(sealed, []byte("warning")) {
		t.Error("the stored plan is readable")
	}
	if _, err := open(ben.aead, sealed, adPlan("ana")); err == nil {
		t.Error("ben's key opened ana's plan")
	}
	if _, err := open(ana.aead, sealed, adPlan("ben")); err == nil {
		t.Error("ana's plan opened as ben's")
	}
	if _, err := open(ana.aead, sealed, adProfile("ana")); err == nil {
		t.Error("a plan opened as a profile")
	}
	// Planted under ben, it is refused, not shown.
	if err := e.st.PutSafetyPlan("ben", sealed); err != nil {
		t.Fatal(err)
	}
	if _, err := ben.SafetyPlan(); err == nil {
		t.Error("ben's page accepted a plan sealed for ana")
	}
	// The export carries it, in the plan's order.
	doc, err := ana.Export("hub")
	if err != nil || len(doc.SafetyPlan) != 1 || doc.SafetyPlan[0].Step != StepWarningSigns || doc.SafetyPlan[0].Lines[0] != secret || doc.SafetyPlan[0].Title != "Warning signs" {
		t.Errorf("export: %+v %v", doc.SafetyPlan, err)
	}
	// Erased with the account.
	if err := ana.Erase(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.GetSafetyPlan("ana"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("plan after erasure: %v", err)
	}
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	assertAbsent(t, e.dir, secret)
}

func TestPlanStepsNamed(t *testing.T) {
	t.Parallel()
	seen := map[PlanStep]bool{}
	for _, s := range PlanSteps {
		if s.Title() == "" || seen[s] || s.MessageKey() != "plan."+string(s) {
			t.Errorf("step %q: title %q, key %q", s, s.Title(), s.MessageKey())
		}
		seen[s] = true
	}
	if len(PlanSteps) != 7 || len(planTitles) != len(PlanSteps) {
		t.Errorf("%d steps, %d titles: the Stanley–Brown plan has 7", len(PlanSteps), len(planTitles))
	}
}

// Whatever a member types, a plan step is refused with a problem or kept
// within the limits, as plain lines.
func FuzzPlanEdit(f *testing.F) {
	for _, s := range []string{"can't sleep\r\nskipping meals", "", "\t \n", "a\x00b", "\xff", strings.Repeat("日\n", 30)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		steps, err := PlanEdit{StepAsk: {text}}.normalize()
		if err != nil {
			if !errors.Is(err, ErrInvalidPlan) {
				t.Fatalf("%q: %v is not a plan problem", text, err)
			}
			return
		}
		lines := steps[StepAsk]
		if len(lines) > MaxPlanStepLines || len([]rune(strings.Join(lines, "\n"))) > MaxPlanStepChars {
			t.Fatalf("%q kept past the limits: %q", text, lines)
		}
		for _, l := range lines {
			if l == "" || l != strings.TrimSpace(l) || strings.ContainsAny(l, "\n\r\t") {
				t.Fatalf("%q kept a line %q", text, l)
			}
		}
	})
}

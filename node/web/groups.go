package web

import "net/http"

// What groups are for, beside finding a meeting: a safety plan for the bad
// moment (plan.go), someone who notices when a member goes quiet
// (buddies.go), and a routine of meetings (routine.go). Their pages are
// their own; on pages that are not, they draw through view.Groups and the
// blocks of templates/parts/groups.html.

// groupsView is what the blocks of parts/groups.html draw on pages that are
// not their own (see view.Groups).
type groupsView struct {
	Plan   *planView // the crisis page: the member's plan, if they made one
	CanAsk bool      // the crisis page: the member has a buddy to ask for a call
	Asked  bool      // ... and asked already
	Week   *weekView // /me
	Mark   *markView // a meeting's page
}

func (s *server) groupRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /me/plan", s.member(s.planPage))
	mux.HandleFunc("GET /me/plan/edit", s.member(s.planEditForm))
	mux.HandleFunc("POST /me/plan", s.memberForm(s.savePlan))
	mux.HandleFunc("GET /me/plan.txt", s.member(s.planText))
	mux.HandleFunc("GET /me/buddies", s.member(s.buddiesPage))
	mux.HandleFunc("POST /me/buddies/offer", s.memberForm(s.offerBuddy))
	mux.HandleFunc("POST /me/buddies/cancel", s.memberForm(s.cancelOffer))
	mux.HandleFunc("POST /me/buddies/take", s.memberForm(s.takeBuddyCode))
	mux.HandleFunc("POST /me/buddies/end", s.memberForm(s.endBuddy))
	mux.HandleFunc("POST /me/buddies/settings", s.memberForm(s.buddySettings))
	mux.HandleFunc("POST /me/buddies/ask", s.memberForm(s.askForCall))
	mux.HandleFunc("GET /me/meetings", s.member(s.myMeetingsPage))
	mux.HandleFunc("POST /me/meetings", s.memberForm(s.markMeeting))
	mux.HandleFunc("POST /me/meetings/feed", s.memberForm(s.feedChange))
	mux.HandleFunc("GET /me/meetings.ics", s.member(s.myMeetingsICS))
	mux.HandleFunc("GET /feed/{file}", s.calendarFeed)
}

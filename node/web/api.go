package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"hearth/node"
	"hearth/node/finder"
	"hearth/node/members"
)

// The JSON API, under /api/v1/: the hub at a glance and its meetings for
// anyone, a member's own check-ins for them alone. Errors are
// {"error": "one line"}.

// MaxAPIMeetings is the most meetings one GET /api/v1/meetings answers
// with, whatever limit it asks: an answer is built whole in memory, and a
// hub may hold a hundred thousand listings. The whole set is the Meeting
// Guide feed, /meetings.json.
const MaxAPIMeetings = 500

// apiStatus is GET /api/v1/status: what any visitor may know of the hub.
// Operator-only detail stays on the operator socket.
func (s *server) apiStatus(w http.ResponseWriter, r *http.Request) {
	st, err := s.n.Status(r.Context())
	if err != nil {
		s.log.Error("web: status", "err", err)
		writeJSON(w, http.StatusInternalServerError, apiError("status unavailable"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": st.ID, "name": st.Name, "running": st.Running, "web": st.Web, "peers": st.Peers, "listings": st.Listings,
	})
}

// apiMeetings is GET /api/v1/meetings: the meetings a search in the query
// language finds (finder.ParseQuery), at most MaxAPIMeetings, as
// node.APIMeeting.
func (s *server) apiMeetings(w http.ResponseWriter, r *http.Request) {
	q, err := finder.QueryFromURL(r.URL.Query())
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError(err.Error()))
		return
	}
	if q.Limit <= 0 || q.Limit > MaxAPIMeetings {
		q.Limit = MaxAPIMeetings
	}
	ms, err := s.n.Meetings(r.Context(), q)
	if err != nil {
		s.log.Error("web: find meetings", "err", err)
		writeJSON(w, http.StatusInternalServerError, apiError("meetings unavailable"))
		return
	}
	writeJSON(w, http.StatusOK, node.APIMeetings(ms))
}

// apiCheckIns is GET /api/v1/me/checkins: the signed-in member's own
// check-ins, newest first, as their export writes them.
func (s *server) apiCheckIns(w http.ResponseWriter, r *http.Request) {
	sess := s.requestState(r).sess
	if sess == nil {
		writeJSON(w, http.StatusUnauthorized, apiError("sign in at /signin first"))
		return
	}
	sess.mu.Lock()
	checkIns, err := sess.acct.CheckIns()
	sess.mu.Unlock()
	if errors.Is(err, members.ErrErased) {
		s.session.endAll(sess.nick)
		writeJSON(w, http.StatusUnauthorized, apiError("this account was erased"))
		return
	}
	if err != nil {
		s.log.Error("web: read check-ins", "err", err)
		writeJSON(w, http.StatusInternalServerError, apiError("check-ins unavailable"))
		return
	}
	writeJSON(w, http.StatusOK, members.ExportCheckIns(checkIns))
}

func (s *server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, apiError("no such API: see /api/v1/status and /api/v1/meetings"))
}

func apiError(msg string) map[string]string { return map[string]string{"error": msg} }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

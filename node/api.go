package node

import (
	"encoding/json"
	"net/http"

	"hearth/node/finder"
)

// MaxAPIMeetings is the most meetings one GET /api/v1/meetings answers
// with, whatever limit it asks: an answer is built whole in memory, and a
// hub may hold a hundred thousand listings. The whole set is the Meeting
// Guide feed, /meetings.json.
const MaxAPIMeetings = 500

// APIHandler serves the public JSON API: GET /api/v1/status and
// GET /api/v1/meetings (at most MaxAPIMeetings). Nothing member-written is
// reachable here.
func APIHandler(n *Node) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/status", func(w http.ResponseWriter, r *http.Request) {
		s, err := n.Status(r.Context())
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "status unavailable"})
			return
		}
		// Operator-only detail stays on the operator socket.
		writeJSON(w, http.StatusOK, map[string]any{
			"id": s.ID, "name": s.Name, "running": s.Running, "web": s.Web, "peers": s.Peers, "listings": s.Listings,
		})
	})
	mux.HandleFunc("GET /api/v1/meetings", func(w http.ResponseWriter, r *http.Request) {
		q, err := finder.QueryFromURL(r.URL.Query())
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		if q.Limit <= 0 || q.Limit > MaxAPIMeetings {
			q.Limit = MaxAPIMeetings
		}
		ms, err := n.Meetings(r.Context(), q)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "meetings unavailable"})
			return
		}
		writeJSON(w, http.StatusOK, APIMeetings(ms))
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

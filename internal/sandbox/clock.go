package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/dbaf/dbaf/internal/clock"
	"github.com/dbaf/dbaf/internal/sandbox/control"
)

// The account's clock runs with the wall clock and moves forward on
// demand (POST /_sandbox/clock), so that tests see restorable windows,
// snapshots' ages, TTLs and expiry pass without waiting. Every time the
// API reports follows it; it is saved with the account.

// Clock is the account's clock.
func (s *Server) Clock() *clock.Movable { return s.st.Clock }

// AdvanceClock moves the account's clock forward by d and returns the new
// time; the move is saved with the account.
func (s *Server) AdvanceClock(d time.Duration) (time.Time, error) {
	now, err := s.st.Clock.Advance(d)
	if err != nil {
		return now, err
	}
	if s.dbs != nil {
		// MariaDB's binary log stamps seconds: a restore to a time this
		// move jumps over stops at the positions recorded now.
		moves := s.st.Clock.Moves()
		s.dbs.mgr.MarkTime(s.ctx, moves[len(moves)-1].Wall)
	}
	s.changed()
	s.fireSchedules() // what came due fires before the move is answered
	return now, nil
}

// ParseAdvance reads how far to move the clock: a Go duration ("90m",
// "2h30m") or a whole number of days ("3d"), positive.
func ParseAdvance(v string) (time.Duration, error) {
	d, err := clock.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf(`cannot move the clock by %q: give a positive duration such as "90m", "2h" or "3d" (the clock moves forward only)`, v)
	}
	return d, nil
}

type clockJSON struct {
	Now string `json:"now"`
}

// serveClock is /_sandbox/clock: GET says the account's time, POST
// {"advance": "2h"} moves it forward and says the new time.
func (s *Server) serveClock(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		control.WriteJSON(w, http.StatusOK, clockJSON{s.st.Clock.Now().Format(time.RFC3339)})
	case http.MethodPost:
		var body struct {
			Advance string `json:"advance"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&body); err != nil {
			control.Error(w, http.StatusBadRequest, `want a JSON body like {"advance": "2h"}: `+err.Error())
			return
		}
		d, err := ParseAdvance(body.Advance)
		if err != nil {
			control.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		now, err := s.AdvanceClock(d)
		if err != nil {
			control.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		control.WriteJSON(w, http.StatusOK, clockJSON{now.Format(time.RFC3339)})
	default:
		control.Error(w, http.StatusMethodNotAllowed, `use GET (the account's time) or POST {"advance": "2h"} (move it forward) on /_sandbox/clock`)
	}
}

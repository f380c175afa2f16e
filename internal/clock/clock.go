// Package clock is how dbaf waits: a sleep that ends with its context and a
// poll loop on it, behind a Clock that tests replace with a fake one so
// that minutes of waiting run at once. Every wait in dbaf goes through it.
package clock

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Clock sleeps.
type Clock interface {
	// Sleep waits d, or until ctx is done (returning its error).
	Sleep(ctx context.Context, d time.Duration) error
}

// Real is the wall clock.
type Real struct{}

// Sleep waits d on a real timer, or until ctx is done.
func (Real) Sleep(ctx context.Context, d time.Duration) error { return Sleep(ctx, d) }

// Sleep waits d, or until ctx is done (returning its error).
func Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Poll calls check at once and then every interval on c (nil: Real) until
// it reports done or an error, which Poll returns, or until ctx is done
// (returning ctx's error).
func Poll(ctx context.Context, c Clock, interval time.Duration, check func() (done bool, err error)) error {
	if c == nil {
		c = Real{}
	}
	for {
		if done, err := check(); done || err != nil {
			return err
		}
		if err := c.Sleep(ctx, interval); err != nil {
			return err
		}
	}
}

// Every calls f every interval on c (nil: Real), the first time one
// interval from now, until ctx is done.
func Every(ctx context.Context, c Clock, interval time.Duration, f func()) {
	if c == nil {
		c = Real{}
	}
	for c.Sleep(ctx, interval) == nil {
		f()
	}
}

// ParseDuration reads a Go duration ("90m", "2h30m") or whole days
// ("3d"), as users write TTLs and clock moves; it must be positive.
func ParseDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(v, "d"); ok {
		var n int
		n, err = strconv.Atoi(days)
		d = time.Duration(n) * 24 * time.Hour
	} else {
		d, err = time.ParseDuration(v)
	}
	if err == nil && d <= 0 {
		err = errors.New("not positive")
	}
	return d, err
}

// Package blackhole gives tests an endpoint that accepts connections and
// never answers, the failure that used to hang dbaf until it was killed.
// Tests only; nothing in dbaf itself imports it.
//
// Test support only: deadcode reports it unreachable from main, as it should.
package blackhole

import (
	"net"
	"sync"
	"testing"
)

// Listen starts a loopback listener that accepts every connection and
// holds it open without reading or writing, until the test ends. It
// returns the listener's host:port.
func Listen(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

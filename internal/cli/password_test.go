package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// repeatReader yields its pattern over and over.
type repeatReader []byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r[i%len(r)]
	}
	return len(p), nil
}

func TestNewPasswordDropsBiasedBytes(t *testing.T) {
	// 250 lies above the largest multiple of the alphabet's length: a
	// modulo would map it to a letter that then comes up more often.
	got := newPassword(repeatReader{250, 3}, 24)
	if want := strings.Repeat(string(passwordAlphabet[3]), 24); got != want {
		t.Errorf("newPassword = %q, want %q (the biased byte dropped)", got, want)
	}
}

func TestGeneratePasswordIsUniform(t *testing.T) {
	counts := map[rune]int{}
	const n = 20000
	for range n {
		pw := generatePassword()
		if len(pw) != 24 {
			t.Fatalf("password %q is %d characters, want 24", pw, len(pw))
		}
		for _, r := range pw {
			if !strings.ContainsRune(passwordAlphabet, r) {
				t.Fatalf("password %q holds %q, outside the alphabet", pw, r)
			}
			counts[r]++
		}
	}
	// Each of the 57 letters is expected about 8,400 times (σ ≈ 90); a
	// modulo bias would give 28 of them a quarter more.
	lo, hi := n*24, 0
	for _, c := range counts {
		lo, hi = min(lo, c), max(hi, c)
	}
	if len(counts) != len(passwordAlphabet) || float64(hi)/float64(lo) > 1.1 {
		t.Errorf("%d letters seen, counts from %d to %d: not uniform", len(counts), lo, hi)
	}
}

func TestPromptPasswordReadsTheInjectedInput(t *testing.T) {
	prompt := func(in string) (string, string, error) {
		var errOut bytes.Buffer
		f := NewFactory(IOStreams{In: strings.NewReader(in), Out: &bytes.Buffer{}, ErrOut: &errOut, IsTerminal: func() bool { return true }},
			func(string) string { return "" }, nil, "test")
		pw, _, err := f.password(&CloneOptions{}, false)
		return pw, errOut.String(), err
	}
	pw, shown, err := prompt("s3cret-Prompted-1\r\ns3cret-Prompted-1")
	if err != nil || pw != "s3cret-Prompted-1" {
		t.Fatalf("password %q, %v", pw, err)
	}
	if !strings.Contains(shown, "Password for the clone's master user") || !strings.Contains(shown, "Again") || strings.Contains(shown, "s3cret") {
		t.Errorf("prompt showed %q", shown)
	}
	if _, _, err := prompt("s3cret-one\ns3cret-two\n"); err == nil || ExitCode(context.Background(), err) != ExitBadInput ||
		!strings.Contains(err.Error(), "differ") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("different answers: %v", err)
	}
	if _, _, err := prompt("s3cret-only-once\n"); err == nil || !strings.Contains(err.Error(), "reading the password") {
		t.Errorf("one answer then end of input: %v", err)
	}
}

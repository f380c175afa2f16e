package artifact

import (
	"context"
	"fmt"
)

// A copy-on-write clone shares its source's clone group: that is the proof
// that AWS made one. A restore AWS turned into a full copy (a source whose
// clone group is at Aurora's limit of copy-on-write clones, for one) has
// another group, or none, and its storage is billed in full.

// FullCopyNote is how a full copy is named wherever a clone is shown.
const FullCopyNote = "full copy: storage billed in full"

// RestoreKindOf is how a clone was made, from its clone group and its
// source's: RestoreCopyOnWrite when they are the same group, else
// RestoreFullCopy.
func RestoreKindOf(sourceGroup, cloneGroup string) string {
	if sourceGroup != "" && sourceGroup == cloneGroup {
		return RestoreCopyOnWrite
	}
	return RestoreFullCopy
}

// RestoreWords is a restore kind for people: "copy-on-write", "full copy".
func RestoreWords(kind string) string {
	switch kind {
	case RestoreFullCopy, RestoreSnapshot:
		return "full copy"
	case "":
		return "-"
	}
	return kind
}

// proveRestore compares the clone's clone group with the source's, and
// says how the clone was made. The source's group comes from the preflight;
// a source that had none then (its first clone gives it one) or a followed
// stack (no preflight) costs one describe. A source that cannot be read
// leaves the proof out, with a warning: the clone itself is fine.
func proveRestore(ctx context.Context, s Stacks, a *Artifact, pf *Preflight, cloneGroup string, emit Emit) (fullCopy bool, note string) {
	srcGroup := ""
	if pf != nil {
		srcGroup = pf.CloneGroupID
	}
	if srcGroup == "" {
		src, err := s.ClusterSummary(ctx, a.Source.ClusterID)
		if err != nil {
			emit(Warning{Message: fmt.Sprintf("could not read source cluster %s to check that the clone is copy-on-write: %v", a.Source.ClusterID, err)})
			return false, ""
		}
		srcGroup = src.CloneGroupID
	}
	if RestoreKindOf(srcGroup, cloneGroup) == RestoreCopyOnWrite {
		return false, fmt.Sprintf("copy-on-write: shares the storage of %s (clone group %s)", a.Source.ClusterID, cloneGroup)
	}
	if mode := a.RestoreMode(); mode.Kind != RestoreCopyOnWrite {
		return true, FullCopyNote + " (" + mode.Description + ")"
	}
	return true, fmt.Sprintf("%s: AWS made a full copy, not a copy-on-write clone (its clone group %s is not %s's %s), "+
		"as Aurora does once a source has as many copy-on-write clones as it allows; tear down the clones no one uses (dbaf list)",
		FullCopyNote, orNone(cloneGroup), a.Source.ClusterID, orNone(srcGroup))
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

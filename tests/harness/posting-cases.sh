# shellcheck shell=bash
# Posting cases of the harness self-test: sourced by tests/harness/run.sh,
# which provides ok, bad, sub, expect_in, sandbox_checkout, commit_change,
# $S, $T, $ST, $D and $base.  On a synthetic two-patch series (the second
# patch also signed off by a co-author), with tags and branch of their own
# (selftest-vdt/vK, b4/vdt-selftest):
#   - the placeholder's Signed-off-by is replaced by the sender's, never added
#     beside it; the co-author's stays, the sender's is last;
#   - on the Debian import: no base-commit: line, and the output says so loudly;
#   - pointed at a kernel git tree with a v7.3 tag (a scratch repository whose
#     one commit has the base tree), base-commit: names that tree's commit;
#   - a v2 of the series gets the range-diff against the stored v1, a
#     "Changes in v2" section and the lore link to v1.
posting_cases() {
	# shellcheck source=scripts/lib-posting.sh
	. "$VDT_ROOT/scripts/lib-posting.sh"
	PSF="Selftest Sender <selftest.sender@vfio-dmabuf-tph.invalid>"
	PSD=$T/posting
	mkdir -p "$PSD/versions"
	echo "20261203-vdt-selftest-000000000000" >"$PSD/versions/change-id"
	export POSTING_TAG_PREFIX=selftest-vdt/ POSTING_BRANCH=b4/vdt-selftest VERSIONS=$PSD/versions

	# post_series DIR PREFIX: the sandbox's commits as a series with a cover letter.
	post_series() {
		rm -rf "$1"
		git -C "$SB_SRC" format-patch -q "${FORMAT_PATCH_OPTS[@]}" --cover-letter \
			--subject-prefix="$2" -o "$1" "$base..HEAD"
		sed -i -e 's/\*\*\* SUBJECT HERE \*\*\*/selftest: Two comments for the posting self-test/' \
			-e 's/\*\*\* BLURB HERE \*\*\*/A series of the harness self-test; never posted./' \
			"$1/0000-cover-letter.patch"
	}
	sandbox_checkout "$base"
	printf '\n/* harness self-test: posting */\n' >>"$SB_SRC/drivers/pci/pci.c"
	commit_change "PCI: Add a comment for the posting self-test"
	printf '/* harness self-test: posting, second */\n' >>"$SB_SRC/drivers/pci/pci.c"
	git -C "$SB_SRC" add -A
	GIT_AUTHOR_DATE=$D GIT_COMMITTER_DATE=$D git -C "$SB_SRC" commit -q \
		-m "PCI: Add a second comment for the posting self-test" -m "Harness self-test change; never part of a real series.

Signed-off-by: Co Author <co.author@vfio-dmabuf-tph.invalid>
Signed-off-by: $VDT_GIT_NAME <$VDT_GIT_EMAIL>"
	post_series "$PSD/v1" PATCH

	# 1. the Debian import as base.
	if SERIES=$PSD/v1 POSTING_OUT=$PSD/out1 FROM=$PSF FORCE=1 sub post1 "$S/posting.sh"; then
		p1=$(ls "$PSD"/out1/0001-*.eml) p2=$(ls "$PSD"/out1/0002-*.eml)
		if [ "$(grep -c '^Signed-off-by: ' "$p1")" = 1 ] && grep -qx "Signed-off-by: $PSF" "$p1" &&
			[ "$(grep '^Signed-off-by: ' "$p2")" = "Signed-off-by: Co Author <co.author@vfio-dmabuf-tph.invalid>
Signed-off-by: $PSF" ] && grep -qx "From: $PSF" "$p1" &&
			! grep -qiE "example\.org|$VDT_GIT_NAME" "$PSD"/out1/*.eml; then
			ok "posting: the placeholder's Signed-off-by is replaced by the sender's, not added beside it"
		else
			grep -H '^\(From\|Signed-off-by\):' "$PSD"/out1/*.eml
			bad "posting: the placeholder's Signed-off-by is replaced by the sender's, not added beside it"
		fi
		if ! grep -q '^base-commit:' "$PSD"/out1/0000-*.eml && ! grep -rq "$base" "$PSD/out1" &&
			expect_in "$T/post1.out" '^!!! WARNING: NO base-commit: LINE' && [ -s "$PSD/out1/WARNINGS.txt" ]; then
			ok "posting: on the Debian import, no base-commit: line and a loud warning"
		else
			bad "posting: on the Debian import, no base-commit: line and a loud warning"
		fi
	else
		cat "$T/post1.out"
		bad "posting: the placeholder's Signed-off-by is replaced by the sender's, not added beside it" "posting.sh failed"
		bad "posting: on the Debian import, no base-commit: line and a loud warning" "posting.sh failed"
	fi

	# 2. a kernel git tree of one's own with a v7.3 tag: a scratch repository
	# (objects borrowed from the base) whose one commit has the base tree.
	K=$ST/posting-linux.git
	[ -d "$K" ] || git init -q --bare "$K"
	echo "$(git_common_dir "$BASE_REPO")/objects" >"$K/objects/info/alternates"
	kc=$(GIT_AUTHOR_DATE=$D GIT_COMMITTER_DATE=$D git -C "$K" commit-tree -m "Linux 7.3" "$base^{tree}")
	git -C "$K" tag -f v7.3 "$kc" >/dev/null
	if BASE_REPO=$K BASE_REF=v7.3 POSTING_TREE=$ST/posting-tree SERIES=$PSD/v1 POSTING_OUT=$PSD/out2 \
		FROM=$PSF FORCE=1 sub post2 "$S/posting.sh" &&
		grep -qx "base-commit: $kc" "$PSD"/out2/0000-*.eml && ! grep -q 'NO base-commit' "$T/post2.out"; then
		ok "posting: with BASE_REPO/BASE_REF=v7.3, base-commit: names that tree's commit"
	else
		cat "$T/post2.out"
		grep -H '^base-commit' "$PSD"/out2/*.eml 2>/dev/null || true
		bad "posting: with BASE_REPO/BASE_REF=v7.3, base-commit: names that tree's commit" "want $kc"
	fi

	# 3. v1 was posted (stored, with its Message-ID); v2 changes the second patch.
	cp -r "$PSD/v1" "$PSD/versions/v1"
	echo "<selftest-v1@vfio-dmabuf-tph.invalid>" >"$PSD/versions/v1/message-id"
	git -C "$SB_SRC" reset -q --hard HEAD~1
	printf '/* harness self-test: posting, second, v2 */\n' >>"$SB_SRC/drivers/pci/pci.c"
	commit_change "PCI: Add a second comment for the posting self-test"
	post_series "$PSD/v2" "PATCH v2"
	if SERIES=$PSD/v2 POSTING_OUT=$PSD/out3 FROM=$PSF FORCE=1 sub post3 "$S/posting.sh" &&
		expect_in "$T/post3.out" '^range-diff v1\.\.v2 ' '^  1: +[0-9a-f]+ = 1: ' &&
		c3=$(ls "$PSD"/out3/0000-*.eml) && grep -q '^Subject: \[PATCH v2 0/2\]' "$c3" &&
		expect_in "$c3" '^Changes in v2:$' '^- Changed: PCI: Add a second comment for the posting self-test$' \
			'^- Link to v1: https://lore.kernel.org/r/selftest-v1@vfio-dmabuf-tph.invalid$' &&
		git -C "$BASE_REPO" rev-parse -q --verify selftest-vdt/v1 >/dev/null; then
		ok "posting: v2 gets the range-diff to the stored v1, a Changes in v2 section and the lore link"
	else
		cat "$T/post3.out"
		bad "posting: v2 gets the range-diff to the stored v1, a Changes in v2 section and the lore link"
	fi
	unset POSTING_TAG_PREFIX POSTING_BRANCH VERSIONS
}
if command -v b4 >/dev/null 2>&1; then
	posting_cases
else
	case_result skip "posting: the self-test of make posting" "b4 is not installed (make host)"
fi

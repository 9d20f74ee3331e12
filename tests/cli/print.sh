#!/bin/sh
# CLI tests of `gopm print` against the program's own %#v: every printfix core (Go 1.19,
# 1.22 old hmaps, 1.24 and 1.27 swiss maps; DWARF and stripped) printed its globals with %#v
# to stderr before crashing, one line "var<TAB>name<TAB>type<TAB>&name<TAB>%#v" each. With
# --depth 1 gopm prints each global, by name (DWARF) and as *(*T)(0xADDR) (every build),
# equal to that text byte for byte: pointers in the core are the program's own. Then the
# default depth (pointers in the value followed), cycles, caps and bad input. Needs zstd.
. "$top_srcdir/tests/cli/fixture.sh"
cores=0
values=0
locals=0
words=0

same() {
	n=$((n + 1))
	if cmp -s "$1" "$tmp/out"; then
		echo "ok: $2"
	else
		echo "FAIL: $2"
		diff "$1" "$tmp/out" | head -6
		fail=$((fail + 1))
	fi
}

tab=$(printf '\t')
for dir in "$td"/cores/go*-printfix-*; do
	name=${dir##*/}
	unpack "$dir"
	grep "^var$tab" "$dir/stderr.txt" >"$tmp/vars"
	cut -f5 "$tmp/vars" >"$tmp/want"
	# By address and type: *(*T)(0xADDR), any build.
	: >"$tmp/exprs"
	while IFS="$tab" read -r _ _ type addr _; do
		printf '*(*%s)(%s)\n' "$type" "$addr" >>"$tmp/exprs"
	done <"$tmp/vars"
	set --
	while read -r e; do set -- "$@" "$e"; done <"$tmp/exprs"
	expect 0 0 "$name: $# globals by type and address" -- print --depth 1 --max-len 1000 --exe "$tmp/exe" "$tmp/core" "$@"
	same "$tmp/want" "$name: equal to the program's %#v"
	values=$((values + $#))
	cores=$((cores + 1))
	if grep -q '^dwarf=yes' "$dir/meta"; then
		# shellcheck disable=SC2046
		expect 0 0 "$name: globals by name (DWARF)" -- print --depth 1 --max-len 1000 --exe "$tmp/exe" "$tmp/core" $(cut -f2 "$tmp/vars")
		same "$tmp/want" "$name: by name, equal to the program's %#v"
	else
		expect 6 1 "$name: a global by name needs DWARF" -- print --exe "$tmp/exe" "$tmp/core" main.config
	fi
	# The default depth follows the pointers in a slice of pointers: the elements are the
	# program's own %#v of *peers[0] and *peers[1].
	peers=$(grep "^var${tab}main.peers$tab" "$dir/stderr.txt" | cut -f4)
	p0=$(grep "^deref${tab}main.peers\[0\]$tab" "$dir/stderr.txt" | cut -f5)
	p1=$(grep "^deref${tab}main.peers\[1\]$tab" "$dir/stderr.txt" | cut -f5)
	printf '[]*main.Peer{&%s, &%s, (*main.Peer)(nil)}\n' "$p0" "$p1" >"$tmp/want2"
	expect 0 0 "$name: default depth" -- print --exe "$tmp/exe" "$tmp/core" "*(*[]*main.Peer)($peers)"
	same "$tmp/want2" "$name: pointers in the slice followed"
	# Selectors: an index, then a field through the pointer.
	printf '&%s\n"10.0.0.2"\n' "$p1" >"$tmp/want3"
	expect 0 0 "$name: selectors" -- print --depth 1 --exe "$tmp/exe" "$tmp/core" "*(*[]*main.Peer)($peers)[1]" "*(*[]*main.Peer)($peers)[0].Next.Addr"
	same "$tmp/want3" "$name: [1] and [0].Next.Addr"
	if grep -q '^dwarf=yes' "$dir/meta"; then
		expect 0 0 "$name: selectors on a global" -- print --depth 1 --exe "$tmp/exe" "$tmp/core" "main.config.peers[1]" "main.peers[0].Next.Addr"
		same "$tmp/want3" "$name: main.config.peers[1] and main.peers[0].Next.Addr"
		expect 6 1 "$name: no such field" -- print --exe "$tmp/exe" "$tmp/core" main.config.Nope
		expect 6 1 "$name: index out of range" -- print --exe "$tmp/exe" "$tmp/core" "main.peers[3]"
	fi
	# A frame's arguments and locals: the goroutine parked in main.worker printed its id
	# and them with %#v before it blocked ("arg"/"local" lines). id, name, cfg and label
	# are live across the receive: equal. For the others the compiler may keep no location
	# at that pc, or no variable at all (Go 1.27 recomputes total from id): equal,
	# "<optimized out>" or no such variable, never another value.
	gid=$(grep "^goroutine$tab" "$dir/stderr.txt" | cut -f2)
	frame="goroutine $gid frame main.worker"
	if grep -q '^dwarf=yes' "$dir/meta"; then
		grep -E "^(arg|local)$tab" "$dir/stderr.txt" >"$tmp/locals"
		while IFS="$tab" read -r _ _ lname _ want; do
			got=$("$GOPM" print --depth 1 --max-len 1000 --exe "$tmp/exe" "$tmp/core" "$frame $lname" 2>&1 </dev/null)
			n=$((n + 1))
			case "$lname:$got" in
			*:"$want") echo "ok: $name: $lname equal to the program's %#v"; locals=$((locals + 1)) ;;
			id:* | name:* | cfg:* | label:*) echo "FAIL: $name: $lname: got '$got', want '$want'"; fail=$((fail + 1)) ;;
			*:"<optimized out>" | *": no argument or local of that name in main.worker") echo "ok: $name: $lname optimized out" ;;
			*) echo "FAIL: $name: $lname: got '$got', want '$want'"; fail=$((fail + 1)) ;;
			esac
		done <"$tmp/locals"
		# The listing names each with its type, arguments first.
		# (exit 1 when one of them is optimized out)
		"$GOPM" print --depth 1 --max-len 1000 --exe "$tmp/exe" "$tmp/core" "$frame" >"$tmp/out" 2>&1 </dev/null
		n=$((n + 1))
		if grep -q "^goroutine $gid frame [0-9]*: main.worker(0x2a, " "$tmp/out" &&
			grep -q '^  arg id int = 42$' "$tmp/out" && grep -q '^  local label string = "job-7/42"$' "$tmp/out" &&
			[ "$(grep -c '^  arg ' "$tmp/out")" -eq 6 ] &&
			[ "$(sed -n 2p "$tmp/out")" = "  arg id int = 42" ]; then
			echo "ok: $name: listing"
		else
			echo "FAIL: $name: listing"; sed 's/^/  /' "$tmp/out" | head -5; fail=$((fail + 1))
		fi
		expect 6 1 "$name: a field of an argument, a composite local" -- print --exe "$tmp/exe" "$tmp/core" "$frame cfg.Name" "$frame label" "$frame nosuch"
		printf '"api"\n"job-7/42"\n' >"$tmp/want"
		same "$tmp/want" "$name: cfg.Name and label"
	else
		expect 6 1 "$name: a local by name needs DWARF" -- print --exe "$tmp/exe" "$tmp/core" "$frame id"
		# Without DWARF: the argument words by the runtime's layout. The program printed
		# id, len(name) and cfg; the words at +0x0, +0x10 and +0x18 (amd64's ABI) are they.
		expect 0 0 "$name: argument words" -- print --exe "$tmp/exe" "$tmp/core" "$frame"
		cp "$tmp/out" "$tmp/words"
		for w in "id +0x0" "name.len +0x10" "cfg +0x18"; do
			want=$(grep "^argword$tab${w% *}$tab" "$dir/stderr.txt" | cut -f3)
			n=$((n + 1))
			if grep -q "^ *${w#* } [0-9] $want\$" "$tmp/words"; then
				echo "ok: $name: ${w% *} is the word at ${w#* }"; words=$((words + 1))
			else
				echo "FAIL: $name: ${w% *} ($want) is not the word at ${w#* }"; fail=$((fail + 1))
			fi
		done
		# The pointer word, typed by hand, is the program's cfg.
		cfg=$(grep "^argword${tab}cfg$tab" "$dir/stderr.txt" | cut -f3)
		grep "^arg${tab}main.worker${tab}cfg$tab" "$dir/stderr.txt" | cut -f5 | sed 's/^&//' >"$tmp/want"
		expect 0 0 "$name: the cfg word as *main.Config" -- print --depth 1 --max-len 1000 --exe "$tmp/exe" "$tmp/core" "*(*main.Config)($cfg)"
		same "$tmp/want" "$name: the word's value equal to the program's %#v"
	fi
	expect 6 1 "$name: no such goroutine" -- print --exe "$tmp/exe" "$tmp/core" "goroutine 999999 frame 0"
	expect 6 1 "$name: no such frame" -- print --exe "$tmp/exe" "$tmp/core" "goroutine $gid frame 999"
	expect 2 1 "$name: not a frame expression" -- print --exe "$tmp/exe" "$tmp/core" "goroutine $gid"
done
n=$((n + 1))
if [ "$cores" -eq 7 ] && [ "$values" -eq 70 ]; then
	echo "ok: $cores cores, $values values compared"
else
	echo "FAIL: $cores cores (want 7), $values values (want 70) compared"
	fail=$((fail + 1))
fi
# 3 DWARF cores with at least id, name, cfg and label each; 4 stripped with 3 words each.
n=$((n + 1))
if [ "$locals" -ge 12 ] && [ "$words" -eq 12 ]; then
	echo "ok: $locals frame values, $words argument words compared"
else
	echo "FAIL: $locals frame values (want >= 12), $words argument words (want 12) compared"
	fail=$((fail + 1))
fi

# One core for the rest: Go 1.22, stripped.
dir=$td/cores/go1.22-printfix-stripped
zstd -d -q -c "$dir/core.zst" >"$tmp/core"
zstd -d -q -c "$td/exe/go1.22-printfix-stripped.zst" >"$tmp/exe"
addr() { grep "^var${tab}$1$tab" "$dir/stderr.txt" | cut -f4; }
ring=$(addr main.ring)
expect 0 0 "a cycle at depth 10" -- print --depth 10 --exe "$tmp/exe" "$tmp/core" "*(**main.Peer)($ring)"
n=$((n + 1))
if grep -q -E '^&main\.Peer\{Addr:"ring", Port:0x0, Up:false, Next:\(\*main\.Peer\)\(0x[0-9a-f]+\), Score:0\}$' "$tmp/out"; then
	echo "ok: the cycle stops at the pointer it came through"
else
	echo "FAIL: the cycle"; fail=$((fail + 1))
fi
numbers=$(addr main.numbers)
expect 1 0 "--max-len 3: a cut slice is partial" -- print --max-len 3 --exe "$tmp/exe" "$tmp/core" "*(*[]int)($numbers)"
printf '[]int{0, 1, 4, /* 97 more */}\n' >"$tmp/want"
same "$tmp/want" "the rest counted"
text=$(addr main.text)
expect 1 0 "--max-len 5: a cut string" -- print --max-len 5 --exe "$tmp/exe" "$tmp/core" "*(*string)($text)"
printf '"hello" /* 7 more */\n' >"$tmp/want"
same "$tmp/want" "the string's rest counted"
config=$(addr main.config)
expect 0 0 "(*T)(0xADDR): a pointer" -- print --exe "$tmp/exe" "$tmp/core" "(**main.Config)($config)"
n=$((n + 1))
if [ "$(cat "$tmp/out")" = "(**main.Config)($config)" ]; then echo "ok: a pointer to a pointer is not followed"; else echo "FAIL: pointer"; fail=$((fail + 1)); fi
expect 1 0 "an address outside the core" -- print --exe "$tmp/exe" "$tmp/core" "*(*main.Limits)(0x10)"
printf '<unreadable 0x10>\n' >"$tmp/want"
same "$tmp/want" "unreadable in place"
expect 1 0 "a pointer into nothing, followed" -- print --exe "$tmp/exe" "$tmp/core" "(*main.Limits)(0x10)"
printf '(*main.Limits)(<unreadable 0x10>)\n' >"$tmp/want"
same "$tmp/want" "the pointer kept, its target unreadable"
expect 6 1 "an unknown type" -- print --exe "$tmp/exe" "$tmp/core" "*(*main.Nope)(0x10)"
expect 2 1 "not an expression" -- print --exe "$tmp/exe" "$tmp/core" "0x10 +"
expect 0 0 "--json" -- print --json --exe "$tmp/exe" "$tmp/core" "*(*string)($text)"
n=$((n + 1))
if grep -q '"value": "\\"hello, core\\\\n\\""' "$tmp/out"; then echo "ok: JSON value"; else echo "FAIL: JSON value"; fail=$((fail + 1)); fi
expect 2 - "no EXPR" -- print "$tmp/core"
expect 2 - "bad --depth" -- print --depth 0 --exe "$tmp/exe" "$tmp/core" main.x
expect 3 1 "missing core" -- print "$tmp/nope" main.x

echo "$n checks, $fail failed"
[ "$fail" -eq 0 ]

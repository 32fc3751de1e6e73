# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for meshroutectl(8): its commands, and the port names of
# the running daemon (from `meshroutectl -j status`) for drain and undrain.
# Installed as /usr/share/bash-completion/completions/meshroutectl.

# Fast ports of the daemon's sessions (LAN sessions have "mtu_verdict":null);
# $1: drained (only drained ones), other (only those in service).
_meshroutectl_ports()
{
	local want=$1 obj port
	"${_mrctl[@]}" -j status 2>/dev/null | grep -o '{"peer":[^{}]*}' | while read -r obj; do
		[[ $obj == *'"mtu_verdict": null'* || $obj == *'"mtu_verdict":null'* ]] && continue
		port=${obj#*\"port\":}
		port=${port# }
		port=${port#\"}
		port=${port%%\"*}
		if [[ $obj =~ \"link\":\ ?\"drained\" ]]; then
			[ "$want" = drained ] && echo "$port"
		else
			[ "$want" = other ] && echo "$port"
		fi
	done | sort -u
}

_meshroutectl()
{
	local cur prev words cword i cmd=
	local commands="status metrics mesh drain undrain reload mlx4 help"
	_init_completion || return
	_mrctl=(meshroutectl)
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-s) _mrctl+=(-s "${words[i + 1]}"); ((i++)) ;;
		-*) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done
	if [ "$prev" = -s ]; then
		_filedir
		return
	fi
	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W '-s -j -h' -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return
	fi
	case $cmd in
	mesh)
		[ "$prev" = mesh ] && COMPREPLY=($(compgen -W '--dot' -- "$cur")) ;;
	drain)
		[ "$prev" = drain ] && COMPREPLY=($(compgen -W "$(_meshroutectl_ports other)" -- "$cur")) ;;
	undrain)
		[ "$prev" = undrain ] && COMPREPLY=($(compgen -W "$(_meshroutectl_ports drained)" -- "$cur")) ;;
	mlx4)
		case $prev in
		--set) COMPREPLY=($(compgen -W 'ib eth auto' -- "$cur")) ;;
		--sysfs) _filedir -d ;;
		*) COMPREPLY=($(compgen -W '--set --sysfs' -- "$cur")) ;;
		esac ;;
	esac
}
complete -F _meshroutectl meshroutectl

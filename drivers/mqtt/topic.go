package mqtt

import (
	"strings"
	"unicode/utf8"
)

// maxTopicLen is the protocol's limit on a topic's encoded length.
const maxTopicLen = 65535

// checkFilter validates a subscription topic filter: + stands for exactly one
// whole level and # for the rest of the topic, so it must come last.
func checkFilter(filter string) error {
	if err := checkTopicText(filter); err != nil {
		return err
	}
	levels := strings.Split(filter, "/")
	for i, l := range levels {
		switch {
		case l == "#" && i != len(levels)-1:
			return argError("topic %q: # must be the last level", filter)
		case l != "#" && l != "+" && strings.ContainsAny(l, "#+"):
			return argError("topic %q: wildcards must fill a whole level", filter)
		}
	}
	return nil
}

// checkTopicName validates a topic to publish to: no wildcards.
func checkTopicName(topic string) error {
	if err := checkTopicText(topic); err != nil {
		return err
	}
	if strings.ContainsAny(topic, "#+") {
		return argError("write_topic %q: wildcards are not allowed when publishing", topic)
	}
	return nil
}

func checkTopicText(topic string) error {
	switch {
	case topic == "":
		return argError("empty topic")
	case len(topic) > maxTopicLen:
		return argError("topic longer than %d bytes", maxTopicLen)
	case !utf8.ValidString(topic) || strings.ContainsRune(topic, 0):
		return argError("topic %q: not valid UTF-8 text", topic)
	}
	return nil
}

// matchTopic reports whether a received topic matches a subscription filter.
// Topics starting with $ (broker internals such as $SYS) match only filters
// that name that first level explicitly, as the specification requires.
func matchTopic(filter, topic string) bool {
	if strings.HasPrefix(topic, "$") && (strings.HasPrefix(filter, "+") || strings.HasPrefix(filter, "#")) {
		return false
	}
	for {
		fl, frest, fmore := strings.Cut(filter, "/")
		if fl == "#" {
			return true
		}
		tl, trest, tmore := strings.Cut(topic, "/")
		if fl != "+" && fl != tl {
			return false
		}
		if !fmore || !tmore {
			// "a/#" also matches "a": # includes the parent level.
			return fmore == tmore || (!tmore && frest == "#")
		}
		filter, topic = frest, trest
	}
}

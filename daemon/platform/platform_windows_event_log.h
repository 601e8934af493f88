// Windows only: the event log source's registration, which
// `tlsring service install` and `uninstall` do (platform.h's EventLog writes).
//
// Event Viewer turns an event into text through the message table of the
// source's EventMessageFile. tlsring.exe carries one (tlsring_messages.mc:
// message 1 is "%1", the whole text), so the registration names tlsring.exe.
#pragma once

#include <string>

#include "core/result.h"

namespace tlsring::platform {

// The event id of every tlsring event: MessageId=1 in tlsring_messages.mc,
// severity "success" and facility 0 there, so the full id is plain 1.
inline constexpr unsigned long kEventMessageId = 1;

// HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\<source>:
// EventMessageFile = `executable`, TypesSupported = error|warning|information.
Status register_event_source(const std::wstring& source, const std::wstring& executable);

// Removes that key; a source that is not registered is not an error.
Status unregister_event_source(const std::wstring& source);

}  // namespace tlsring::platform

// Internal to the adapter room's Windows part: one agent process and its
// pipe protocol (agent_process.cpp). windows_agent.cpp builds WindowsAgent
// on it; nothing else includes this file.
#pragma once

#include <sys/types.h>

#include <string>
#include <variant>
#include <vector>

#include "../protocol/agent_protocol.h"
#include "logoffcheck/windows_agent.h"
#include "wine.h"

namespace logoffcheck::windows_agent {

class AgentProcess {
 public:
  // Starts the agent on `dll` under Wine; handshake() waits for it.
  AgentProcess(const WineSetup& setup, const std::filesystem::path& dll);

  // Waits for the agent to have loaded the DLL and called MSProviderInit,
  // whose calls it appends to `init`. Throws ConfigurationError saying why
  // it could not.
  void handshake(const std::string& name, std::vector<LogonCall>& init);

  // Asks the agent to quit; kills it when it does not within 2 s.
  ~AgentProcess();
  AgentProcess(const AgentProcess&) = delete;
  AgentProcess& operator=(const AgentProcess&) = delete;

  bool alive() const noexcept { return alive_; }

  // Sends `message`. Writing to an agent that has just died does not raise
  // SIGPIPE; the next receive() says how it ended.
  void send(const Message& message) { send_bytes(&message, sizeof message); }
  void send_bytes(const void* bytes, std::size_t size);

  // The next message, or how the agent ended: it died (exited or killed by a
  // signal), or sent nothing before `deadline` (it is then killed, and the
  // fault is a hang of `timeout_ms`).
  std::variant<Message, AgentFault> receive(Clock::time_point deadline, std::uint32_t timeout_ms);

  // Ends the agent (after it reported a fault, it is ending itself anyway).
  void kill_and_reap();

 private:
  AgentFault ended();
  std::string stderr_note() const;
  std::string start_failure(const Message& message, const std::string& name,
                            const std::vector<LogonCall>& init) const;

  pid_t pid_ = -1;
  int to_agent_ = -1;
  int from_agent_ = -1;
  int pidfd_ = -1;
  int errors_ = -1;
  bool alive_ = true;
  // What has been read of the agent's messages and not yet received: a
  // batch's messages come many to a read.
  std::vector<char> inbox_ = std::vector<char>(64 * 1024);
  std::size_t inbox_begin_ = 0;
  std::size_t inbox_end_ = 0;
};

// "access violation writing 0x10", "stack overflow (exception 0xC00000FD)":
// the Windows exception an `exception` message reports.
std::string describe_windows_exception(const Message& message);

}  // namespace logoffcheck::windows_agent

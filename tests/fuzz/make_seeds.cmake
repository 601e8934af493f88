# Makes the fuzz ctests' seed inputs at test time (the `fuzz_seeds` ctest, a
# fixture of the others): captures from the generator (TLS 1.2 with RSA key
# exchange and session-ID resumption, TLS 1.2 ticket resumption over a lossy
# reordering network, TLS 1.3 with a key log, resumption and 0-RTT, Decryption
# Secrets Blocks and closing statistics), then from those and Wireshark's captures the stream seeds of
# fuzz_tls_stream, the key seeds of fuzz_private_key and the key logs of
# fuzz_key_log.
#   cmake -DGEN=tlsring-gen -DSEEDS=tlsring-fuzz-seeds -DOUT=dir -DFIXTURES=dir -P make_seeds.cmake
foreach(var GEN SEEDS OUT FIXTURES)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "make_seeds.cmake: -D${var}= is required")
  endif()
endforeach()

set(PASSWORD tlsring-fuzz)
file(REMOVE_RECURSE "${OUT}")
file(MAKE_DIRECTORY "${OUT}/captures" "${OUT}/keylogs")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " line "${ARGN}")
    message(FATAL_ERROR "make_seeds.cmake: `${line}` failed (${rc}):\n${out}${err}")
  endif()
endfunction()

# Small messages and few of them: the mutation runs go through each seed thousands of times.
set(small --messages 3 --min-size 20 --max-size 300 --seed 1 --quiet)

# 1. TLS 1.2, RSA key exchange (decrypted with the server key), CBC and GCM, session-ID resumption.
run("${GEN}" --out "${OUT}/gen/tls12-rsa" --version 1.2 --ciphers AES128-SHA256:AES256-GCM-SHA384
    --rotate-ciphers --sessions 2 --resume id --resumptions 1 --format pcap --pfx-password ${PASSWORD} ${small})
set(key "${OUT}/gen/tls12-rsa/server.key.pem")
set(cert "${OUT}/gen/tls12-rsa/server.cert.pem")
# 2. TLS 1.2 ticket resumption, segments reordered and retransmitted, same server key.
run("${GEN}" --out "${OUT}/gen/tls12-ticket" --version 1.2 --ciphers AES128-GCM-SHA256 --resume ticket
    --resumptions 1 --reorder 0.2 --retransmit 0.1 --mss 200 --format pcap-nano --key "${key}" --cert "${cert}"
    ${small})
# 3. TLS 1.3 with a key log (also inside the file: Decryption Secrets Blocks), resumption and 0-RTT,
#    ending with the Interface Statistics Block a capturing program writes (it counts drops).
run("${GEN}" --out "${OUT}/gen/tls13" --version 1.3 --resume ticket --resumptions 1 --early-data 64
    --embed-secrets --closing-drops 2 --format pcapng --key "${key}" --cert "${cert}" ${small})

foreach(name tls12-rsa tls12-ticket tls13)
  file(GLOB produced "${OUT}/gen/${name}/capture.*")
  foreach(f ${produced})
    get_filename_component(ext "${f}" EXT)
    file(COPY_FILE "${f}" "${OUT}/captures/${name}${ext}")
  endforeach()
  if(EXISTS "${OUT}/gen/${name}/keys.log")
    file(COPY_FILE "${OUT}/gen/${name}/keys.log" "${OUT}/keylogs/${name}.keys")
  endif()
endforeach()

file(GLOB generated "${OUT}/captures/*")
run("${SEEDS}" streams "${OUT}/streams-generated" ${generated})
run("${SEEDS}" keys "${OUT}/keys" "${key}" "${cert}" ${PASSWORD})
run("${SEEDS}" tls12 "${OUT}/tls12")
run("${SEEDS}" tls13 "${OUT}/tls13" "${OUT}/keys/cert.der")
file(COPY_FILE "${OUT}/gen/tls12-rsa/server.p12" "${OUT}/keys/server.p12")
file(COPY_FILE "${key}" "${OUT}/keys/server.key.pem")

if(EXISTS "${FIXTURES}/wireshark/captures")
  file(GLOB wireshark "${FIXTURES}/wireshark/captures/*.pcap" "${FIXTURES}/wireshark/captures/*.pcapng")
  run("${SEEDS}" streams "${OUT}/streams-wireshark" ${wireshark})
else()
  message(WARNING "*** ${FIXTURES}/wireshark/captures is missing: no Wireshark stream seeds ***")
endif()

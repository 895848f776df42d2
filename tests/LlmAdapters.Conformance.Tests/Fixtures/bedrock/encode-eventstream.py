import struct, zlib, json, sys
def msg(headers, payload):
    h=b''
    for n,v in headers:
        n=n.encode(); v=v.encode()
        h+=bytes([len(n)])+n+b'\x07'+struct.pack('>H',len(v))+v
    total=16+len(h)+len(payload)
    prelude=struct.pack('>II',total,len(h))
    prelude+=struct.pack('>I',zlib.crc32(prelude)&0xffffffff)
    body=prelude+h+payload
    return body+struct.pack('>I',zlib.crc32(body)&0xffffffff)
def event(t, obj):
    return msg([(':event-type',t),(':content-type','application/json'),(':message-type','event')], json.dumps(obj,ensure_ascii=False,separators=(',',':')).encode())
def exc(t, obj):
    return msg([(':exception-type',t),(':content-type','application/json'),(':message-type','exception')], json.dumps(obj,separators=(',',':')).encode())
stream=[event('messageStart',{"role":"assistant"}),
 event('contentBlockDelta',{"contentBlockIndex":0,"delta":{"text":"你好！"}}),
 event('contentBlockDelta',{"contentBlockIndex":0,"delta":{"text":"我是 Claude，"}}),
 event('contentBlockDelta',{"contentBlockIndex":0,"delta":{"text":"很高兴认识你 😊"}}),
 event('contentBlockStop',{"contentBlockIndex":0}),
 event('messageStop',{"stopReason":"end_turn"}),
 event('metadata',{"usage":{"inputTokens":14,"outputTokens":21,"totalTokens":35},"metrics":{"latencyMs":642}})]
open('converse-stream/response.eventstream','wb').write(b''.join(stream))
thr=[event('messageStart',{"role":"assistant"}),
 event('contentBlockDelta',{"contentBlockIndex":0,"delta":{"text":"Once upon"}}),
 exc('throttlingException',{"message":"Too many tokens, please wait before trying again."})]
open('stream-throttling-exception/response.eventstream','wb').write(b''.join(thr))

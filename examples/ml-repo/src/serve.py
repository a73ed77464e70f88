"""Serve the chat model with vLLM."""

from vllm import LLM, SamplingParams

llm = LLM(model="moonshotai/Kimi-K2.6", trust_remote_code=True)
params = SamplingParams(temperature=0.6, max_tokens=512)

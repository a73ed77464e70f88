"""Fine-tune a Llama 3.1 LoRA adapter for triage notes (meta-llama/Llama-3.1-8B-Instruct is
named here in prose only; the references licensecheck reports are the loader calls below)."""

from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

BASE_MODEL = "meta-llama/Llama-3.1-8B-Instruct"
ADAPTER = "Imed-Ghebriout/Llama-3.1-8B-Instruct-LoRA-SimSAMU"
OUTPUT_DIR = "outputs/checkpoint-500"  # a local folder, not a model id

# tokenizer = AutoTokenizer.from_pretrained("some-org/commented-out")


def load():
    tokenizer = AutoTokenizer.from_pretrained(BASE_MODEL)
    base = AutoModelForCausalLM.from_pretrained(BASE_MODEL, torch_dtype="auto")
    model = PeftModel.from_pretrained(base, ADAPTER)
    return tokenizer, model


def resume():
    return AutoModelForCausalLM.from_pretrained(OUTPUT_DIR)

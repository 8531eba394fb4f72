//! The helloworld service: the implementation of the trait generated from
//! `apis/helloworld.yaml`. `main.rs` serves it; the tests serve it on a free port.

use std::collections::HashSet;
use std::sync::Mutex;

use klue_core::ApiError;

/// The code generated from `apis/helloworld.yaml`.
pub mod api {
    klue_core::include_api!("helloworld");
}

use api::*;

/// The service. It remembers which user posted which text, to refuse duplicates.
#[derive(Debug, Default)]
pub struct Hello {
    posted: Mutex<HashSet<(String, String)>>,
}

impl HelloworldApi for Hello {
    async fn say_hello(&self, request: SayHelloRequest) -> Result<SayHelloResponse, ApiError> {
        let user_id = request.claims.map(|claims| claims.sub);
        let name = request
            .name
            .as_deref()
            .or(user_id.as_deref())
            .unwrap_or("world");
        Ok(Greeting {
            message: format!("Hello, {name}!"),
            user_id,
        }
        .into())
    }

    async fn whoami(&self, request: WhoamiRequest) -> Result<WhoamiResponse, ApiError> {
        let user_id = request.claims.user_id().to_owned();
        Ok(Greeting {
            message: format!("Hello, {user_id}!"),
            user_id: Some(user_id),
        }
        .into())
    }

    async fn greet(&self, request: GreetRequest) -> Result<GreetResponse, ApiError> {
        let hello = match request.lang.unwrap_or(Language::En) {
            Language::En => "Hello",
            Language::Fr => "Bonjour",
            Language::Sv => "Hej",
        };
        let punctuation = request.x_greeting_punctuation.map_or("!", |p| p.as_str());
        let once = format!("{hello}, {}{punctuation}", request.name);
        let times = usize::try_from(request.times.unwrap_or(1)).unwrap_or(1);
        Ok(Greeting {
            message: vec![once; times].join(" "),
            user_id: None,
        }
        .into())
    }

    async fn post_message(
        &self,
        request: PostMessageRequest,
    ) -> Result<PostMessageResponse, ApiError> {
        let author = request.claims.user_id().to_owned();
        let message = request.body;
        let fresh = self
            .posted
            .lock()
            .map_err(|_| ApiError::internal_msg("message store poisoned"))?
            .insert((author.clone(), message.text.clone()));
        if !fresh {
            return Err(ApiError::new(
                klue_core::codegen::StatusCode::CONFLICT,
                "DUPLICATE_MESSAGE",
                "This user already posted a message with this text",
            )
            .with_user_message("You already said that."));
        }
        Ok(PostMessageResponse::Created(Message {
            id: uuid::Uuid::new_v4().into(),
            author,
            text: message.text,
            priority: message.priority,
            score: message.score,
            urgent: message.urgent,
            tags: message.tags,
            language: message.language,
        }))
    }
}
